import { createOrm, type Dialect, type Orm } from "@app/db";
import { adminUrls, createScratchDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/harness.ts";
import { startAdminServerProcess } from "./support/server-process.ts";
import { type OutageMode, startTcpProxy } from "./support/tcp-proxy.ts";

/** What each server database needs for the faults: how to kill its sessions, how to lock `users`. */
type ServerDialect = Exclude<Dialect, "sqlite">;
const faultsOf: Record<
  ServerDialect,
  { terminateSessions(admin: Orm, database: string): Promise<number>; lockUsers: string }
> = {
  postgresql: {
    async terminateSessions(admin, database) {
      const rows = await admin.em
        .fork()
        .execute(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
        );
      return rows.length;
    },
    lockUsers: "lock table users in access exclusive mode",
  },
  mariadb: {
    async terminateSessions(admin, database) {
      const sessions: { id: number }[] = await admin.em
        .fork()
        .execute(
          `select id from information_schema.processlist where db = '${database}' and id <> connection_id()`,
        );
      let killed = 0;
      for (const { id } of sessions) {
        // A session may end on its own between the listing and the kill.
        await admin.em
          .fork()
          .execute(`kill connection ${id}`)
          .then(
            () => killed++,
            () => undefined,
          );
      }
      return killed;
    },
    // Held until the locking connection closes; other sessions' reads and writes of users wait.
    lockUsers: "lock tables users write",
  },
};

/** Low on purpose: "fail fast" is measured against it. */
const connectTimeoutMs = 500;
const poolMax = 5;
/**
 * The longest a 503 may take: a read by id runs two queries, each of which may wait the connect
 * timeout for a connection, plus a margin for this loaded 2-core machine.
 */
const failFastMs = 2 * connectTimeoutMs + 1_000;
/** Low too: a query unanswered for this plus the connect timeout is presumed lost in a partition. */
const statementTimeoutMs = 1_000;
/** When a query sent into a silent network is given up (dialects/postgresql.ts, dialects/mariadb.ts). */
const silentQueryMs = statementTimeoutMs + connectTimeoutMs;
/** One HTTP answer during a fault; status 0 means no answer at all within `callGuardMs`. */
type Outcome = { status: number; ms: number; startedAt: number };
const callGuardMs = 15_000;

/** A server to call, and the admin's credential every call carries (`adminHeaders`). */
type Target = { url: string; adminHeaders: Record<string, string> };

/**
 * One call over plain HTTP as the admin, picked by `n`: a write in a transaction, a list, or a
 * read by id (the admin, user 1). Each first looks up the caller's session in the database.
 */
async function callOnce({ url, adminHeaders }: Target, n: number): Promise<Outcome> {
  const startedAt = Date.now();
  const signal = AbortSignal.timeout(callGuardMs);
  const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
  const request =
    n % 3 === 0
      ? fetch(`${url}/trpc/users.create`, {
          method: "POST",
          headers: { "content-type": "application/json", ...adminHeaders },
          body: JSON.stringify({ name: `U${n}`, email: `u${n}-${startedAt}@example.com` }),
          signal,
        })
      : fetch(`${url}/trpc/${n % 3 === 1 ? "users.list" : "users.byId"}?input=${input({ id: 1 })}`, {
          headers: adminHeaders,
          signal,
        });
  try {
    const response = await request;
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - startedAt, startedAt };
  } catch {
    return { status: 0, ms: Date.now() - startedAt, startedAt };
  }
}

/** `workers` callers, each calling again as soon as it has an answer, until `stop` resolves. */
async function runLoad(target: Target, workers: number, stop: Promise<unknown>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped) outcomes.push(await callOnce(target, n++));
    }),
  );
  return outcomes;
}

/** Polls until a read succeeds and returns how long that took, in ms. */
async function timeToRecover(target: Target, limitMs = 10_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if ((await callOnce(target, 1)).status === 200) return Date.now() - started;
    await sleep(20);
  }
  throw new Error(`no successful call within ${limitMs} ms`);
}

/**
 * The statuses of `count` concurrent calls, retried a few times until all succeed: a burst on a
 * pool that must open every connection afresh (a handshake each, slow on a loaded machine) may
 * outlast the 500 ms wait for a connection once; recovering means a burst soon succeeds whole.
 */
async function burstAfterRecovery(target: Target, count: number): Promise<number[]> {
  let statuses: number[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    statuses = (await Promise.all(Array.from({ length: count }, (_, n) => callOnce(target, n)))).map(
      (o) => o.status,
    );
    if (statuses.every((status) => status === 200)) break;
    await sleep(200);
  }
  return statuses;
}

/** Calls that got neither 200 nor a 503 within `failFastMs`: a 500, no answer, or a slow 503. */
function misbehaved(outcomes: Outcome[]): Outcome[] {
  return outcomes.filter((o) => o.status !== 200 && !(o.status === 503 && o.ms <= failFastMs));
}

/** Counts and latencies (ms) per HTTP status, for the figures in docs/reliability.md. */
function summarize(outcomes: Outcome[]) {
  const byStatus: Record<string, { count: number; p50: number; max: number }> = {};
  for (const status of new Set(outcomes.map((o) => o.status))) {
    const ms = outcomes
      .filter((o) => o.status === status)
      .map((o) => o.ms)
      .sort((a, b) => a - b);
    byStatus[status] = { count: ms.length, p50: ms[Math.floor(ms.length / 2)] ?? 0, max: ms.at(-1) ?? 0 };
  }
  return { calls: outcomes.length, byStatus };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` with a one-connection ORM on `url`, closed afterwards. */
async function withConnection<T>(url: string, fn: (orm: Orm) => Promise<T>): Promise<T> {
  const admin = await createOrm({ url, poolMax: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.close(true);
  }
}

const serverDatabases = (await testedDialects()).filter(
  (tested): tested is { dialect: ServerDialect; skip?: string } => tested.dialect !== "sqlite",
);

for (const { dialect, skip } of serverDatabases) {
  const faults = faultsOf[dialect];
  (skip ? describe.skip : describe)(`database faults [${dialect}]`, { timeout: 60_000 }, () => {
    it("survives its sessions being terminated under load, answering 200 or a quick 503", async () => {
      await using database = await createScratchDatabase(dialect);
      const name = new URL(database.url).pathname.slice(1);
      await using server = await startAdminServerProcess({
        DATABASE_URL: database.url,
        DATABASE_POOL_MAX: "5",
        DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
      });
      const pid = server.child.pid;
      expect((await callOnce(server, 0)).status).toBe(200);

      let terminated = 0;
      const outcomes = await withConnection(adminUrls[dialect], async (admin) => {
        // Every 50 ms for 3 s, terminate every session of this test's database (and no other).
        const terminating = (async () => {
          const started = Date.now();
          while (Date.now() - started < 3_000) {
            terminated += await faults.terminateSessions(admin, name);
            await sleep(50);
          }
        })();
        return runLoad(server, 8, terminating);
      });
      const recoveryMs = await timeToRecover(server);
      console.log(JSON.stringify({ terminated, recoveryMs, ...summarize(outcomes) }));

      expect(terminated).toBeGreaterThan(10);
      expect(misbehaved(outcomes)).toEqual([]);
      expect(server.child.pid).toBe(pid);
      expect(server.child.exitCode).toBeNull();
      // Nothing needs restarting: the pool opens fresh connections by itself, more than poolMax of them.
      expect(await burstAfterRecovery(server, 12)).toEqual(Array(12).fill(200));
    });

    it.each<OutageMode>(["refuse", "reset", "blackhole"])(
      "answers a quick 503 while the database is gone (%s) and recovers by itself",
      async (mode) => {
        await using database = await createScratchDatabase(dialect);
        const target = new URL(database.url);
        await using proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
        await using server = await startAdminServerProcess({
          DATABASE_URL: proxy.rewrite(database.url),
          DATABASE_POOL_MAX: String(poolMax),
          DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
          DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs),
        });
        const pid = server.child.pid;
        expect((await callOnce(server, 0)).status).toBe(200);
        // A partition lasts well past the silent-query timeout, so a call that waited for the heal
        // would show.
        const outageMs = mode === "blackhole" ? 3 * silentQueryMs + failFastMs : 2_000;

        let cutAt = 0;
        let restoredAt = 0;
        let healthDuringOutage = 0;
        let closedByServerDuringOutage = 0;
        const outcomes = await runLoad(
          server,
          8,
          (async () => {
            await sleep(500);
            cutAt = Date.now();
            await proxy.cut(mode);
            const closedBefore = proxy.stats.closedByClient;
            await sleep(1_000);
            healthDuringOutage = (await fetch(`${server.url}/health`)).status;
            await sleep(Math.max(0, cutAt + outageMs - Date.now()));
            restoredAt = Date.now();
            closedByServerDuringOutage = proxy.stats.closedByClient - closedBefore;
            await proxy.restore();
            await sleep(300);
          })(),
        );
        const recoveryMs = await timeToRecover(server);
        const startedDuring = outcomes.filter((o) => o.startedAt >= cutAt && o.startedAt < restoredAt);
        const inFlightAtCut = outcomes.filter((o) => o.startedAt < cutAt && o.startedAt + o.ms > cutAt);
        console.log(
          JSON.stringify({
            mode,
            recoveryMs,
            proxy: proxy.stats,
            closedByServerDuringOutage,
            startedDuring: summarize(startedDuring),
            inFlightAtCut: summarize(inFlightAtCut),
          }),
        );

        expect(startedDuring.filter((o) => o.status === 503).length).toBeGreaterThan(0);
        expect(healthDuringOutage).toBe(503);
        if (mode === "blackhole") {
          // A query sent into the silence (before the partition, or on a connection that sat idle in
          // the pool when it began) fails once the silent-query timeout passes, and its connection
          // is dropped: a 503 within that timeout and the usual margin, never a wait for the heal.
          const failedLate = (o: Outcome) =>
            o.status !== 200 && !(o.status === 503 && o.ms <= silentQueryMs + failFastMs);
          expect(startedDuring.filter(failedLate)).toEqual([]);
          expect(inFlightAtCut.filter(failedLate)).toEqual([]);
          expect(inFlightAtCut.every((o) => o.startedAt + o.ms < restoredAt)).toBe(true);
          // The silent connections were dropped, not left in the pool to catch the next queries.
          expect(closedByServerDuringOutage).toBeGreaterThan(0);
        } else {
          expect(misbehaved(startedDuring)).toEqual([]);
          expect(misbehaved(inFlightAtCut)).toEqual([]);
        }
        expect(recoveryMs).toBeLessThan(2_000);
        expect(server.child.pid).toBe(pid);
        expect(server.child.exitCode).toBeNull();
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
      },
    );

    it("times out calls that wait for a pool held busy instead of hanging", async () => {
      await using server = await startTestServer(
        {
          DATABASE_POOL_MAX: "2",
          DATABASE_CONNECT_TIMEOUT_MS: String(connectTimeoutMs),
          DATABASE_STATEMENT_TIMEOUT_MS: "1000",
        },
        dialect,
      );
      expect((await callOnce(server, 0)).status).toBe(200);
      // Two calls take both connections and wait for the lock (statement timeout); the rest wait
      // for a connection (connect timeout). Every one must end with a 503 within both bounds.
      const outcomes = await withConnection(server.config.DATABASE_URL, (locker) =>
        locker.em.fork().transactional(async (tx) => {
          await tx.execute(faults.lockUsers);
          return Promise.all(Array.from({ length: 8 }, (_, n) => callOnce(server, n)));
        }),
      );
      console.log(JSON.stringify(summarize(outcomes)));
      expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill(503));
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(1_000 + connectTimeoutMs + 1_000);
      expect(await burstAfterRecovery(server, 6)).toEqual(Array(6).fill(200));
    });
  });
}
