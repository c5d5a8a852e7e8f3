import { createClient } from "@app/client";
import type { Dialect } from "@app/db";
import { createScratchDatabase, describeEachDatabase } from "@app/db/testing";
import { expect, it } from "vitest";

// Each test starts two real server processes: allow for slow machines.
const timeout = 60_000;

import { tally } from "./support/harness.ts";
import { adminEnv, signInAsAdmin, startServerProcess } from "./support/server-process.ts";

/**
 * Two server processes on one fresh database, started at the same moment (both migrate, both
 * ensure the admin account), and a client for each, signed in as that admin through server one:
 * the session works on both, since they share the database.
 */
async function startTwoServers(dialect: Dialect) {
  const database = await createScratchDatabase(dialect);
  const env = { DATABASE_URL: database.url, ...adminEnv };
  const [one, two] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  const token = await signInAsAdmin(one.url);
  return {
    clients: [
      createClient({ url: one.url, token, maxBatchSize: 1 }),
      createClient({ url: two.url, token, maxBatchSize: 1 }),
    ] as const,
    async [Symbol.asyncDispose]() {
      await Promise.all([one.stop(), two.stop()]);
      await database.drop();
    },
  };
}

await describeEachDatabase("several servers on one database", (dialect) => {
  it("gives exactly one success to racing creates of one email through both servers", {
    timeout,
  }, async () => {
    await using servers = await startTwoServers(dialect);
    const calls = Array.from({ length: 20 }, (_, i) =>
      servers.clients[i % 2 ? 1 : 0].users.create.mutate({ name: `Racer ${i}`, email: "race@example.com" }),
    );
    expect(await tally(calls)).toEqual({ OK: 1, CONFLICT: 19 });
  });

  it("gives exactly one win to racing updates with the same version through both servers", {
    timeout,
  }, async () => {
    await using servers = await startTwoServers(dialect);
    const [a, b] = servers.clients;
    const user = await a.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const calls = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? a : b).users.update.mutate({ id: user.id, name: `Writer ${i}`, version: user.version }),
    );
    expect(await tally(calls)).toEqual({ OK: 1, CONFLICT: 9 });
    expect((await b.users.byId.query({ id: user.id })).version).toBe(2);
  });

  it("shows every acknowledged write through both servers", { timeout }, async () => {
    await using servers = await startTwoServers(dialect);
    const [a, b] = servers.clients;
    const written = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).users.create.mutate({ name: `U${i}`, email: `u${i}@example.com` }),
      ),
    );
    const ids = written.map((u) => u.id).sort((x, y) => x - y);
    const admin = await a.auth.me.query();
    for (const client of [a, b]) {
      const listed = (await client.users.list.query({ limit: 100 })).items.map((u) => u.id);
      // The admin both servers ensured at start-up comes first, exactly once; then every write.
      expect(listed).toEqual([admin.id, ...ids]);
    }
  });
});

await describeEachDatabase("read-modify-write load from two servers", (dialect) => {
  it("never answers 500: every update either commits or is a CONFLICT", { timeout }, async () => {
    await using servers = await startTwoServers(dialect);
    const [a, b] = servers.clients;
    const users = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.users.create.mutate({ name: `U${i}`, email: `u${i}@example.com` }),
      ),
    );
    // Each update reads the row and then writes it: the pattern that makes SQLite's deferred
    // transactions fail at once with "database is locked" when another process wrote meanwhile.
    const calls = Array.from({ length: 200 }, (_, i) => {
      const user = users[i % users.length];
      if (!user) throw new Error("no user");
      return (i % 2 ? a : b).users.update.mutate({ id: user.id, name: `N${i}` });
    });
    expect(await tally(calls)).toEqual({ OK: 200 });
  });
});
