import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOrm } from "@app/db";
import { createScratchDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server.ts";
import { runTask } from "./support/run-task.ts";

// `npm run db -- <command>`: MikroORM's own CLI, through the root task, on a fresh database of
// each dialect. Names are read from the migrator the server uses, not from the CLI.
const driftedConfig = fileURLToPath(new URL("./support/mikro-orm-drifted.config.ts", import.meta.url));
const migrationsIndex = fileURLToPath(
  new URL("../../../packages/db/src/migrations/index.ts", import.meta.url),
);

async function migrationNames(url: string): Promise<string[]> {
  const orm = await createOrm({ url });
  try {
    return (await orm.migrator.getPending()).map((migration) => migration.name);
  } finally {
    await orm.close(true);
  }
}

/** The names in a table the CLI printed, in order. */
function tableNames(output: string): string[] {
  return [...output.matchAll(/^│ (Migration\w+)/gm)].map((match) => match[1] ?? "");
}

for (const { dialect, skip } of await testedDialects()) {
  (skip ? describe.skip : describe)(`MikroORM's CLI [${dialect}]`, { timeout: 120_000 }, () => {
    it("lists every migration as pending, applies them as the server does, reverts the last", async () => {
      await using scratch = await createScratchDatabase(dialect);
      const db = (...args: string[]) => runTask("db", args, { DATABASE_URL: scratch.url });
      const all = await migrationNames(scratch.url);
      expect(all.length).toBeGreaterThan(1);

      const pending = await db("migration:pending");
      expect(pending.code, pending.stderr).toBe(0);
      expect(tableNames(pending.stdout)).toEqual(all);

      const up = await db("migration:up");
      expect(up.code, up.stderr).toBe(0);
      // The server's own migrator finds nothing left to do: same table, same names.
      expect(await migrationNames(scratch.url)).toEqual([]);
      expect(tableNames((await db("migration:list")).stdout)).toEqual(all);

      const down = await db("migration:down");
      expect(down.code, down.stderr).toBe(0);
      expect(tableNames((await db("migration:pending")).stdout)).toEqual(all.slice(-1));

      // A server starting on it applies the one reverted, after which the CLI sees none pending.
      await using server = await startServer(
        loadConfig({ DATABASE_URL: scratch.url, PORT: "0", LOG_LEVEL: "silent" }),
      );
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect((await server.orm.migrator.getExecuted()).map((row) => row.name)).toEqual(all);
      await server.close();
      expect((await db("migration:pending")).stdout).toContain("No pending migrations");
    });

    it("refuses a migration name it does not know rather than taking it as every migration", async () => {
      await using scratch = await createScratchDatabase(dialect);
      const db = (...args: string[]) => runTask("db", args, { DATABASE_URL: scratch.url });
      const all = await migrationNames(scratch.url);
      const applied = async () => tableNames((await db("migration:list")).stdout);

      // Nothing applied yet: nothing to revert, said so rather than "Successfully migrated down".
      const early = await db("migration:down");
      expect(early.code).toBe(1);
      expect(early.stderr).toContain("no migration is applied to this database: nothing to revert");

      // MikroORM reads an unknown --to as "all the way": every table would go.
      expect((await db("migration:up")).code).toBe(0);
      for (const args of [
        ["migration:down", "--to", "nope"],
        ["migration:down", "--only", "Migration_nope"],
        ["migration:up", "--to", "nope"],
      ]) {
        const refused = await db(...args);
        expect(refused.code, args.join(" ")).toBe(1);
        expect(refused.stderr).toMatch(/no migration named "(nope|Migration_nope)".*migration:list/);
        expect(refused.stderr).not.toContain("Successfully");
        expect(await applied()).toEqual(all);
      }

      // MikroORM's documented form, the timestamp alone, names the migration it starts.
      const second = all[1] ?? "";
      const timestamp = /^Migration(\d{14})/.exec(second)?.[1] ?? "";
      const down = await db("migration:down", "--to", timestamp);
      expect(down.code, down.stderr).toBe(0);
      expect(await applied()).toEqual(all.slice(0, 2));
      const up = await db("migration:up", "--to", second);
      expect(up.code, up.stderr).toBe(0);
      expect(await applied()).toEqual(all.slice(0, 2));
    });

    it("checks that the migrations create what the entities describe, and says so in its exit code", async () => {
      await using scratch = await createScratchDatabase(dialect);
      const db = (...args: string[]) => runTask("db", args, { DATABASE_URL: scratch.url });

      // Pending migrations would show as changes: the check refuses to compare before they are applied.
      const early = await db("migration:check");
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/not applied to this database yet .*npm run db -- migration:up/);

      // Entities ahead of their migrations: what a changed entity without a migration looks like.
      expect((await db("migration:up", "--config", driftedConfig)).code).toBe(0);
      const drifted = await db("migration:check", "--config", driftedConfig);
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toContain("Changes detected");

      expect((await db("migration:up")).code).toBe(0);
      const check = await db("migration:check");
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toContain("No changes required");
    });

    it("writes a migration for what the entities describe beyond the migrations", async () => {
      await using scratch = await createScratchDatabase(dialect);
      const folder = mkdtempSync(join(tmpdir(), "migration-create-"));
      const index = readFileSync(migrationsIndex, "utf8");
      try {
        const db = (...args: string[]) =>
          runTask("db", [...args, "--config", driftedConfig], { DATABASE_URL: scratch.url });
        expect((await db("migration:up")).code).toBe(0);
        const created = await db("migration:create", "--path", folder, "--name", "missing");
        expect(created.code, created.stderr).toBe(0);
        const [file, ...more] = readdirSync(folder);
        expect(more).toEqual([]);
        expect(file).toMatch(/^Migration\d{14}_missing\.ts$/);
        // The last checked-in migration creates the change log: the new one must create it again.
        expect(readFileSync(join(folder, file ?? ""), "utf8")).toMatch(/create table \W*changes\W/);
        // Written outside src/migrations/<dialect>/, so not listed there.
        expect(created.stdout).toContain("Not listed");
        expect(readFileSync(migrationsIndex, "utf8")).toBe(index);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
}

it("tells a configuration mistake in one line, without a stack", { timeout: 30_000 }, async () => {
  const result = await runTask("db", ["migration:list"], { DATABASE_URL: "oracle://scott:tiger@db/x" });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('DATABASE_URL: unsupported DATABASE_URL "oracle://scott:***@db/x"');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain("tiger");
});

it("fails when interrupted, so that `npm run db -- migration:up && …` stops there", {
  timeout: 30_000,
}, async () => {
  // A database that accepts the connection and never answers: the command is under way, waiting.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => {
    sockets.push(socket);
    child.kill("SIGINT");
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const child = spawn(process.execPath, ["scripts/toolchain.mjs", "db", "migration:up"], {
    cwd: fileURLToPath(new URL("../../../", import.meta.url)),
    env: {
      ...process.env,
      DOTENV_CONFIG_PATH: "/nonexistent/.env",
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/app`,
    },
    stdio: "ignore",
  });
  try {
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code).toBe(130);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
