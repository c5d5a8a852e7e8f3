import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { createScratchDatabase, describeEachDatabase } from "@app/db/testing";
import { build } from "rolldown";
import { afterAll, beforeAll, expect, it } from "vitest";
import config from "../rolldown.config.ts";
import { testAdmin } from "./support/harness.ts";
import { startServerProcess } from "./support/server-process.ts";

// `npm start` and the benchmark run the bundle (rolldown.config.ts), not the sources the other
// suites load: this one builds it as `pnpm build` does, beside src/ as dist/ is, and drives it on
// every database, whose drivers the bundle loads as separate chunks.
const serverRoot = fileURLToPath(new URL("..", import.meta.url));
let entry = "";
let outDir = "";

beforeAll(async () => {
  outDir = mkdtempSync(join(serverRoot, ".test-build-"));
  await build({ ...config, cwd: serverRoot, output: { ...config.output, dir: outDir }, logLevel: "silent" });
  entry = join(outDir, "main.js");
}, 60_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

await describeEachDatabase("the built server", (dialect) => {
  it("migrates a fresh database and serves tRPC, REST and the docs", { timeout: 60_000 }, async () => {
    const database = await createScratchDatabase(dialect);
    await using server = await startServerProcess(
      // Two workers, as `npm start` runs on a two-core machine: each re-runs main.js and its chunks.
      {
        DATABASE_URL: database.url,
        ADMIN_EMAIL: testAdmin.email,
        ADMIN_PASSWORD: testAdmin.password,
        WORKERS: "2",
      },
      entry,
    );
    try {
      const anonymous = createClient({ url: server.url });
      expect(await anonymous.health.query()).toEqual({ status: "ok", db: "ok" });
      // The admin from ADMIN_EMAIL, made at start-up: the bundle hashes and checks passwords too.
      const { token, user: admin } = await anonymous.auth.signIn.mutate(testAdmin);
      expect(admin).toMatchObject({ id: 1, email: testAdmin.email, role: "admin" });
      const client = createClient({ url: server.url, token });
      const ann = await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
      const item = await client.items.create.mutate({ userId: ann.id, title: "Lamp" });
      expect((await client.users.byId.query({ id: ann.id })).items).toEqual([item]);
      await expect(
        client.users.create.mutate({ name: "Ann", email: "ANN@example.com" }),
      ).rejects.toMatchObject({
        data: { code: "CONFLICT", httpStatus: 409 },
      });

      const rest = await fetch(`${server.url}/api/users/${ann.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(rest.status).toBe(200);
      expect(await rest.json()).toMatchObject({ id: ann.id, role: "user", items: [{ title: "Lamp" }] });
      expect((await fetch(`${server.url}/api/users/${ann.id}`)).status).toBe(401);
      const docs = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain("SwaggerUIBundle");
      // The primary gathers both workers' metrics for a scrape, whichever worker receives it.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^cluster_workers 2$/m);
      expect(metrics).toMatch(/^process_start_time_seconds\{worker="2"\} /m);
      expect(await server.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
