import { spawn } from "node:child_process";
import { linkSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOrm, type Dialect } from "@app/db";
import { createScratchDatabase, describeEachDatabase } from "@app/db/testing";
import { afterEach, describe, expect, it } from "vitest";
import { exitOf } from "./support/child-exit.ts";
import { halfSentPost, openEventStream, requestOnNewConnection } from "./support/fresh-connection.ts";
import { adminEnv, type ServerProcess, signInAsAdmin, startServerProcess } from "./support/server-process.ts";

// WORKERS: several server processes behind one port (src/cluster/). Each test starts a cluster of
// two workers as `npm start` does on a two-core machine, and tells the workers apart by the
// `worker` field of their log lines: a request's line carries its x-request-id (reqId).

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const timeout = 60_000;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function freshSqliteUrl(): string {
  const folder = mkdtempSync(join(tmpdir(), "workers-"));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return `sqlite:${join(folder, "app.db")}`;
}

async function startCluster(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ WORKERS: "2", ...env });
  cleanups.push(() => server.child.kill("SIGKILL"));
  // pino writes a worker's log lines asynchronously: its "Server listening" line can reach the
  // pipe after the primary's "serving" line, which startServerProcess waits for.
  await expect.poll(() => [...listening(server).keys()].sort(), { timeout: 10_000 }).toEqual([1, 2]);
  return server;
}

type LogLine = { msg: string; pid: number; worker?: number; reqId?: string };

function logLines(server: ServerProcess): LogLine[] {
  return server
    .output()
    .split("\n")
    .flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === "object" && parsed !== null && "msg" in parsed ? [parsed as LogLine] : [];
      } catch {
        return [];
      }
    });
}

/** Waits for a log line that `match` accepts (the line of a request comes just after its answer). */
async function logLine(
  server: ServerProcess,
  match: (line: LogLine) => boolean,
  ms = 10_000,
): Promise<LogLine> {
  const deadline = Date.now() + ms;
  for (;;) {
    const line = logLines(server).find(match);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no such log line within ${ms} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The worker that logged the request with this x-request-id (received, at LOG_LEVEL=debug, or completed). */
async function workerOf(server: ServerProcess, requestId: string): Promise<number> {
  const line = await logLine(server, (each) => each.reqId === requestId && each.worker !== undefined);
  if (line.worker === undefined) throw new Error("unreachable");
  return line.worker;
}

/** The workers listening now, by number: pid of each (the latest "Server listening" line of each). */
function listening(server: ServerProcess): Map<number, number> {
  const workers = new Map<number, number>();
  for (const line of logLines(server)) {
    if (line.worker !== undefined && line.msg.startsWith("Server listening at"))
      workers.set(line.worker, line.pid);
  }
  return workers;
}

/** Health checks on new connections until both workers have answered one; every one must be 200. */
async function expectBothWorkersAnswer(server: ServerProcess, label: string): Promise<void> {
  const answeredBy = new Set<number>();
  for (let i = 0; i < 40 && answeredBy.size < 2; i++) {
    const id = `${label}-${i}`;
    const { status } = await requestOnNewConnection(`${server.url}/health/ready`, {
      headers: { "x-request-id": id },
    });
    expect(status).toBe(200);
    answeredBy.add(await workerOf(server, id));
  }
  expect([...answeredBy].sort()).toEqual([1, 2]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A worker whose primary exited right after killing it is a zombie until init reaps it, which
  // some containers' init does only every few seconds: dead all the same (Linux's /proc says so).
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    // Gone since (Linux), or a system without /proc, where kill() is all there is to go by.
    return process.platform !== "linux";
  }
}

/** The pids of `pid`'s child processes (Linux's /proc). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
}

/**
 * A fresh SQLite file whose write lock another process holds until `release`: a lead started on
 * it waits in its migrations (SQLITE_BUSY_TIMEOUT_MS: lockedClusterEnv).
 */
async function lockedSqlite(): Promise<{ url: string; release: () => Promise<unknown> }> {
  const url = freshSqliteUrl();
  const other = await createOrm({ url });
  cleanups.push(() => void other.close(true));
  const em = other.em.fork();
  await em.execute("begin immediate");
  return { url, release: () => em.execute("commit") };
}

/** A cluster of two on `url`, whose lead waits up to 30 s for a held lock. */
const lockedClusterEnv = (url: string) => ({
  ...process.env,
  WORKERS: "2",
  PORT: "0",
  DATABASE_URL: url,
  SQLITE_BUSY_TIMEOUT_MS: "30000",
});

/**
 * Starts a cluster of two in a process group of its own, as a terminal or a service manager
 * does, and resolves the moment the primary forks the second worker (once the lead listens).
 */
async function startClusterInItsOwnGroup() {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, WORKERS: "2", PORT: "0", DATABASE_URL: freshSqliteUrl() },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const group = child.pid;
  if (group === undefined) throw new Error("no pid");
  cleanups.push(() => {
    if (child.exitCode === null) process.kill(-group, "SIGKILL");
  });
  const exit = exitOf(child);
  while (childrenOf(group).length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  return { group, exit };
}

/** Starts main.ts as a user would, expecting it not to start. */
function startDoomed(env: Record<string, string>) {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, WORKERS: "2", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  return exitOf(child);
}

describe("WORKERS=2", { timeout }, () => {
  it("serves one port from two processes, of which one alone migrated and made the admin", async () => {
    const server = await startCluster({ DATABASE_URL: freshSqliteUrl(), ...adminEnv });
    const workers = listening(server);
    expect([...workers.keys()].sort()).toEqual([1, 2]);
    expect(new Set(workers.values()).size).toBe(2);
    expect(workers.values()).not.toContain(server.child.pid);
    expect(logLines(server).find((line) => line.msg.startsWith("serving "))?.msg).toMatch(
      /with 2 worker processes$/,
    );
    const prepared = logLines(server).filter(
      (line) => line.msg === "applied pending migrations" || line.msg.startsWith("admin account"),
    );
    expect(prepared.map((line) => [line.worker, line.msg])).toEqual([
      [1, "applied pending migrations"],
      [1, `admin account ${adminEnv.ADMIN_EMAIL}: created`],
    ]);
    await expectBothWorkersAnswer(server, "probe");
    await signInAsAdmin(server.url);
    expect(await server.stop()).toBe(0);
  });

  it.skipIf(process.platform !== "linux")(
    "starts the other worker only once the lead has prepared the database and listens",
    async () => {
      // Another process holds the file's write lock: the lead's migrations wait for it.
      const database = await lockedSqlite();
      const child = spawn(process.execPath, [main], {
        env: lockedClusterEnv(database.url),
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(() => child.kill("SIGKILL"));
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk;
      });
      const primary = child.pid;
      if (primary === undefined) throw new Error("no pid");
      await expect.poll(() => childrenOf(primary).length, { timeout: 10_000 }).toBe(1);
      // Started at once, the other worker would long be running by now.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(childrenOf(primary)).toHaveLength(1);
      expect(output).not.toContain("Server listening");

      await database.release();
      await expect.poll(() => output, { timeout: 20_000 }).toMatch(/"serving .* with 2 worker processes"/);
      expect(childrenOf(primary)).toHaveLength(2);
      child.kill("SIGTERM");
      expect((await exitOf(child)).code).toBe(0);
    },
  );

  it("on SIGTERM finishes the requests in flight on every worker, then exits 0", async () => {
    const server = await startCluster({ DATABASE_URL: freshSqliteUrl(), ...adminEnv, LOG_LEVEL: "debug" });
    const headers = { authorization: `Bearer ${await signInAsAdmin(server.url)}` };
    // Creates whose bodies are half sent, on new connections, until both workers hold one.
    const inFlight: Array<{ finish: ReturnType<typeof halfSentPost>["finish"]; email: string }> = [];
    const holders = new Set<number>();
    for (let i = 0; i < 10 && holders.size < 2; i++) {
      const email = `drain-${i}@example.com`;
      const post = halfSentPost(
        `${server.url}/api/users`,
        { name: `Drain ${i}`, email },
        {
          ...headers,
          "x-request-id": `drain-${i}`,
        },
      );
      cleanups.push(() => post.request.destroy());
      inFlight.push({ finish: post.finish, email });
      holders.add(await workerOf(server, `drain-${i}`));
    }
    expect([...holders].sort()).toEqual([1, 2]);

    const signalled = Date.now();
    const exited = server.stop("SIGTERM");
    await logLine(server, (line) => line.worker === 2 && line.msg.startsWith("SIGTERM: finishing"));
    await logLine(server, (line) => line.worker === 1 && line.msg.startsWith("SIGTERM: finishing"));
    const answers = await Promise.all(inFlight.map((each) => each.finish()));
    expect(answers.map((answer) => answer.status)).toEqual(inFlight.map(() => 201));
    expect(answers.map((answer) => (JSON.parse(answer.body) as { email: string }).email)).toEqual(
      inFlight.map((each) => each.email),
    );
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    const stopped = logLines(server).filter((line) => line.msg === "stopped");
    expect(stopped.map((line) => line.worker ?? "primary").sort()).toEqual([1, 2, "primary"]);
  });

  it.skipIf(process.platform !== "linux").each(["SIGINT", "SIGTERM"] as const)(
    "takes %s sent to the whole process group as the other worker starts as a clean stop",
    async (signal) => {
      // A terminal's Ctrl-C, or systemd stopping a unit, signals every process of the group: the
      // other worker, forked as the lead listens, is still booting and dies of it at once.
      const { group, exit } = await startClusterInItsOwnGroup();
      process.kill(-group, signal);
      const { code, stderr } = await exit;
      expect(stderr).toBe("");
      expect(code).toBe(0);
    },
  );

  it.skipIf(process.platform !== "linux")(
    "takes the group's SIGTERM as a clean stop even when the primary sees a worker exit first",
    async () => {
      // The lead drains and exits 0 on the group's SIGTERM; a primary slow to run its own handler
      // (frozen here) handles that exit first, while it still counts itself as starting.
      for (let attempt = 0; attempt < 3; attempt++) {
        const { group, exit } = await startClusterInItsOwnGroup();
        process.kill(group, "SIGSTOP");
        process.kill(-group, "SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 600));
        process.kill(group, "SIGCONT");
        const { code, stderr } = await exit;
        expect(stderr).toBe("");
        expect(code).toBe(0);
      }
    },
  );

  it.skipIf(process.platform !== "linux").each(["SIGINT", "SIGTERM"] as const)(
    "takes %s the moment the lead is forked as a clean stop, and leaves no worker behind",
    async (signal) => {
      // The primary validates its configuration after forking the lead (run.ts): a signal then
      // ended it alone, and the orphaned lead printed a stack trace once its channel broke.
      const child = spawn(process.execPath, [main], {
        env: { ...process.env, WORKERS: "2", PORT: "0", DATABASE_URL: freshSqliteUrl() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(() => child.kill("SIGKILL"));
      const primary = child.pid;
      if (primary === undefined) throw new Error("no pid");
      const exit = exitOf(child);
      while (childrenOf(primary).length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      const [lead] = childrenOf(primary);
      child.kill(signal);
      const { code, stderr } = await exit;
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(lead === undefined || !alive(lead)).toBe(true);
    },
  );

  it("takes one Ctrl-C delivered twice as one stop, and a later one as a kill", async () => {
    const server = await startCluster({ DATABASE_URL: freshSqliteUrl(), ...adminEnv, LOG_LEVEL: "debug" });
    const headers = { authorization: `Bearer ${await signInAsAdmin(server.url)}`, "x-request-id": "held" };
    // A request that never finishes holds its worker's drain until the 10 s timeout.
    const held = halfSentPost(
      `${server.url}/api/users`,
      { name: "Held", email: "held@example.com" },
      headers,
    );
    cleanups.push(() => held.request.destroy());
    await workerOf(server, "held");
    const workers = [...listening(server).values()];

    // What a terminal and `npm start`'s wrappers deliver for one Ctrl-C: the same signal, twice at once.
    server.child.kill("SIGINT");
    server.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.child.exitCode).toBe(null);
    const signalled = Date.now();
    expect(await server.stop("SIGINT")).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(logLines(server).map((line) => line.msg)).toContain(
      "SIGINT again: killing the workers without waiting for in-flight requests",
    );
    for (const pid of workers) await expect.poll(() => alive(pid), { timeout: 2_000 }).toBe(false);
  });

  it("replaces a worker that dies, and keeps serving on the port", async () => {
    const server = await startCluster({ DATABASE_URL: freshSqliteUrl(), ...adminEnv });
    const before = listening(server);
    const lead = before.get(1);
    if (lead === undefined) throw new Error("no worker 1");
    // Worker 1 leads: its replacement prepares the database again (nothing to do) and serves.
    process.kill(lead, "SIGKILL");
    const restarting = await logLine(server, (line) => line.msg.startsWith(`worker 1 (pid ${lead})`));
    expect(restarting.msg).toMatch(
      /^worker 1 \(pid \d+\) was killed by SIGKILL; starting another in \d+ ms$/,
    );
    await logLine(
      server,
      (line) => line.worker === 1 && line.pid !== lead && line.msg.startsWith("Server listening"),
    );
    expect(listening(server).get(2)).toBe(before.get(2));
    await expectBothWorkersAnswer(server, "after");
    await signInAsAdmin(server.url);
    expect(await server.stop()).toBe(0);
  });
});

describe("WORKERS=2 that cannot start", { timeout }, () => {
  it("exits 1 with one line when the port is taken, and starts no worker again", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => taken.close());
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const { code, stdout, stderr } = await startDoomed({
      DATABASE_URL: freshSqliteUrl(),
      PORT: String(port),
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^failed to start: .*EADDRINUSE.*\(set PORT to use another port\)$/),
    ]);
    expect(stdout).not.toContain("starting another");
  });

  it("exits 1 with one line when the database cannot be reached", async () => {
    const { code, stdout, stderr } = await startDoomed({
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/app",
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^failed to start: /)]);
    expect(stdout).not.toContain("starting another");
  });

  it.skipIf(process.platform !== "linux")(
    "exits 1 with one line when a worker cannot even be forked",
    async () => {
      // The cluster runs Node through a link of its own, removed while the lead waits for the
      // database: forking the second worker then fails (spawn ENOENT, as EAGAIN would at the
      // process limit), and such a fork never exits.
      const folder = mkdtempSync(join(tmpdir(), "workers-node-"));
      cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
      const node = join(folder, "node");
      linkSync(process.execPath, node);
      const database = await lockedSqlite();
      const child = spawn(node, [main], {
        env: lockedClusterEnv(database.url),
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(() => child.kill("SIGKILL"));
      const exit = exitOf(child);
      const primary = child.pid;
      if (primary === undefined) throw new Error("no pid");
      await expect.poll(() => childrenOf(primary).length, { timeout: 10_000 }).toBe(1);
      unlinkSync(node);
      await database.release();
      const { code, stderr } = await exit;
      expect(code).toBe(1);
      expect(stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^failed to start: worker 2 could not be started: spawn .*ENOENT/),
      ]);
    },
  );

  it("refuses bad configuration in one line, before any worker starts", async () => {
    const { code, stdout, stderr } = await startDoomed({ PORT: "eighty", WORKERS: "0" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^invalid configuration: PORT: .*; WORKERS: /),
    ]);
    expect(stdout).toBe("");
  });

  it("refuses bad configuration in one line, and stops the worker it started meanwhile", async () => {
    // WORKERS is valid, so the lead starts while the primary validates the rest (run.ts);
    // `close` waits for every process that shares the output, the lead too.
    const { code, stdout, stderr } = await startDoomed({ DATABASE_URL: freshSqliteUrl(), PORT: "eighty" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^invalid configuration: PORT: /)]);
    expect(stdout).toBe("");
  });
});

await describeEachDatabase("live data with WORKERS=2", (dialect) => {
  it("delivers a change written through one worker to subscribers on both", { timeout }, async () => {
    await expectEveryStreamGetsEveryCreate(dialect, {}, 5_000, "rest");
  });

  it("wakes the other worker's subscriptions at once, not at its next poll", { timeout }, async () => {
    // A poll a minute away: only the word passed between the workers (feed-neighbours.ts) or,
    // on PostgreSQL, NOTIFY can deliver within the deadline.
    await expectEveryStreamGetsEveryCreate(dialect, { CHANGES_POLL_MS: "60000" }, 2_000, "trpc");
  });
});

describe("live data with WORKERS=2 when a worker dies", { timeout }, () => {
  it("keeps waking the surviving worker's subscriptions, and the replacement's commits and subscriptions take part", async () => {
    // A poll a minute away: only the word passed through the primary delivers within the deadline.
    // SQLite alone: on PostgreSQL, NOTIFY would deliver even without it.
    const server = await startCluster({
      DATABASE_URL: freshSqliteUrl(),
      ...adminEnv,
      LOG_LEVEL: "debug",
      CHANGES_POLL_MS: "60000",
    });
    const headers = { authorization: `Bearer ${await signInAsAdmin(server.url)}` };
    const onOne = await streamOnWorker(server, headers, 1, "one");
    await streamOnWorker(server, headers, 2, "two");

    // Worker 2 dies with its subscriber connected; the primary says its replacement serves once
    // it has told it whether the other worker has subscribers.
    const killed = listening(server).get(2);
    if (killed === undefined) throw new Error("no worker 2");
    process.kill(killed, "SIGKILL");
    await logLine(server, (line) => /^worker 2 \(pid \d+\) is serving$/.test(line.msg));

    // The replacement, without subscribers of its own, tells of its commits (FeedRelay.welcome).
    const beforeItsStream = await createThroughBothWorkers(server, headers, "after-kill");
    await expectEveryCreateWithin([onOne], beforeItsStream, 2_000);
    // Its subscribers hear of the other worker's commits.
    const onNewTwo = await streamOnWorker(server, headers, 2, "new-two");
    const afterItsStream = await createThroughBothWorkers(server, headers, "new-stream");
    await expectEveryCreateWithin([onOne, onNewTwo], afterItsStream, 2_000);
    for (const stream of [onOne, onNewTwo]) stream.close();
    expect(await server.stop()).toBe(0);
  });
});

/** Waits up to `withinMs` for every stream to have received every one of `created`, in order. */
async function expectEveryCreateWithin(streams: EventStream[], created: number[], withinMs: number) {
  const deadline = Date.now() + withinMs;
  const hasAll = (stream: EventStream) => created.every((id) => userIds(stream).includes(id));
  while (Date.now() < deadline && !streams.every(hasAll)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const stream of streams) expect(userIds(stream).slice(-created.length)).toEqual(created);
}

type EventStream = Awaited<ReturnType<typeof openEventStream>>;

/** The change stream over tRPC and over REST, from the start of the history. */
const fromTheStart = {
  trpc: `/trpc/changes.onChange?input=${encodeURIComponent(JSON.stringify({ after: 0 }))}`,
  rest: "/api/changes/stream?after=0",
};
type StreamRoute = keyof typeof fromTheStart;

/**
 * An event stream of changes.onChange on the given worker (on new connections until one lands
 * there), once it follows that worker's feed: it subscribes from the start of the history, and a
 * subscription reads that catch-up only once it follows the feed (which tells the primary).
 */
async function streamOnWorker(
  server: ServerProcess,
  headers: Record<string, string>,
  worker: number,
  label: string,
  route: StreamRoute = "trpc",
): Promise<EventStream> {
  for (let i = 0; i < 10; i++) {
    const id = `${label}-${i}`;
    const stream = await openEventStream(`${server.url}${fromTheStart[route]}`, {
      ...headers,
      "x-request-id": id,
    });
    cleanups.push(stream.close);
    expect(stream.status).toBe(200);
    if ((await workerOf(server, id)) === worker) {
      await expect.poll(() => userIds(stream).length).toBeGreaterThan(0);
      return stream;
    }
    stream.close();
  }
  throw new Error(`no stream reached worker ${worker}`);
}

/** Creates users on new connections until each worker has made one; their ids, in order. */
async function createThroughBothWorkers(
  server: ServerProcess,
  headers: Record<string, string>,
  label: string,
): Promise<number[]> {
  const created: number[] = [];
  const writtenOn = new Set<number>();
  for (let i = 0; i < 20 && writtenOn.size < 2; i++) {
    const id = `${label}-${i}`;
    const { status, body } = await requestOnNewConnection(`${server.url}/api/users`, {
      headers: { ...headers, "x-request-id": id },
      body: { name: `Live ${label} ${i}`, email: `${label}-${i}@example.com` },
    });
    expect(status).toBe(201);
    created.push((JSON.parse(body) as { id: number }).id);
    writtenOn.add(await workerOf(server, id));
  }
  expect([...writtenOn].sort()).toEqual([1, 2]);
  return created;
}

/** The ids of the users whose creation or change a stream has received, in order. */
function userIds(stream: EventStream): unknown[] {
  return stream.events.flatMap((event) =>
    typeof event === "object" &&
    event !== null &&
    "entity" in event &&
    event.entity === "user" &&
    "entityId" in event
      ? [event.entityId]
      : [],
  );
}

/**
 * Subscribes on both workers (through `route`), creates through both, and expects every stream to
 * have every create within `withinMs` of the last one.
 */
async function expectEveryStreamGetsEveryCreate(
  dialect: Dialect,
  env: Record<string, string>,
  withinMs: number,
  route: StreamRoute,
): Promise<void> {
  const database = await createScratchDatabase(dialect);
  cleanups.push(() => void database.drop());
  const server = await startCluster({ DATABASE_URL: database.url, ...adminEnv, LOG_LEVEL: "debug", ...env });
  const headers = { authorization: `Bearer ${await signInAsAdmin(server.url)}` };
  const streams = [
    await streamOnWorker(server, headers, 1, "one", route),
    await streamOnWorker(server, headers, 2, "two", route),
  ];
  const created = await createThroughBothWorkers(server, headers, "write");
  await expectEveryCreateWithin(streams, created, withinMs);
  for (const stream of streams) stream.close();
  expect(await server.stop()).toBe(0);
}
