import { createOrm } from "@app/db";
import { describeEachDatabase } from "@app/db/testing";
import { expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { startTestServer } from "./support/harness.ts";

async function statusOf(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

await describeEachDatabase("health checks", (dialect) => {
  it("a fresh server is live and ready, and /health keeps its documented shape", async () => {
    await using server = await startTestServer({}, dialect);
    expect(await statusOf(`${server.url}/health/live`)).toEqual({ status: 200, body: { status: "live" } });
    expect(await statusOf(`${server.url}/health/ready`)).toEqual({ status: 200, body: { status: "ready" } });
    expect(await statusOf(`${server.url}/health`)).toEqual({ status: 200, body: { status: "ok", db: "ok" } });
  });

  it("is not ready while a migration is missing or a table is gone, stays live, and is ready again once repaired", async () => {
    await using server = await startTestServer({}, dialect);
    const outside = await createOrm({ url: server.config.DATABASE_URL, poolMax: 1 });
    try {
      const em = outside.em.fork();
      const [latest] = await em.execute<{ name: string }[]>(
        "select name from mikro_orm_migrations order by id desc limit 1",
      );
      if (!latest) throw new Error("no migration recorded");
      await em.execute("delete from mikro_orm_migrations where name = ?", [latest.name]);
      const ready = await statusOf(`${server.url}/health/ready`);
      expect(ready).toEqual({
        status: 503,
        body: { status: "not ready", reason: `1 migration(s) not applied: ${latest.name}…` },
      });
      expect((await statusOf(`${server.url}/health`)).status).toBe(503);
      expect((await statusOf(`${server.url}/health/live`)).status).toBe(200);

      await em.execute("insert into mikro_orm_migrations (name, executed_at) values (?, ?)", [
        latest.name,
        new Date(),
      ]);
      expect((await statusOf(`${server.url}/health/ready`)).status).toBe(200);

      // A table the calls need, gone: the schema no longer answers.
      await em.execute("alter table items rename to items_away");
      expect(await statusOf(`${server.url}/health/ready`)).toEqual({
        status: 503,
        body: { status: "not ready", reason: "the database does not answer" },
      });
      expect(await statusOf(`${server.url}/health`)).toMatchObject({
        status: 503,
        body: { status: "unavailable", db: "unreachable" },
      });
      expect((await statusOf(`${server.url}/health/live`)).status).toBe(200);
      await em.execute("alter table items_away rename to items");
      expect((await statusOf(`${server.url}/health/ready`)).status).toBe(200);
    } finally {
      await outside.close(true);
    }
  });
});

it("readiness fails as soon as the server starts shutting down, while it still answers", async () => {
  await using server = await startTestServer();
  const lifecycle = { shuttingDown: false };
  const app = await buildApp({ config: server.config, orm: server.orm, lifecycle });
  try {
    expect((await app.inject("/health/ready")).statusCode).toBe(200);
    lifecycle.shuttingDown = true;
    const ready = await app.inject("/health/ready");
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "not ready", reason: "shutting down" });
    expect((await app.inject("/health/live")).statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

it("health and metrics answer everyone alike: anonymous, a user, another user and an admin, and show no account", async () => {
  await using server = await startTestServer();
  const ann = await server.signUp("Ann");
  const bob = await server.signUp("Bob");
  const callers: Record<string, Record<string, string>> = {
    anonymous: {},
    owner: { authorization: `Bearer ${ann.token}` },
    "other user": { authorization: `Bearer ${bob.token}` },
    admin: server.adminHeaders,
  };
  for (const [who, headers] of Object.entries(callers)) {
    for (const [path, expected] of [
      ["/health/live", { status: "live" }],
      ["/health/ready", { status: "ready" }],
      ["/health", { status: "ok", db: "ok" }],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { headers });
      expect({ who, path, status: response.status, body: await response.json() }).toEqual({
        who,
        path,
        status: 200,
        body: expected,
      });
    }
    const metrics = await fetch(`${server.url}/metrics`, { headers });
    expect({ who, status: metrics.status }).toEqual({ who, status: 200 });
    const text = await metrics.text();
    for (const secret of [ann.user.email, bob.user.email, ann.token, bob.token, server.adminToken]) {
      expect(text, who).not.toContain(secret);
    }
  }
});
