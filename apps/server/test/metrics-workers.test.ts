import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { exitOf } from "./support/child-exit.ts";
import { requestOnNewConnection } from "./support/fresh-connection.ts";
import { parseSamples, sampleKey } from "./support/prometheus-text.ts";
import { checkMetrics, promtool } from "./support/promtool.ts";
import { adminEnv, type ServerProcess, signInAsAdmin, startServerProcess } from "./support/server-process.ts";

// /metrics with WORKERS=2: each worker counts what it serves, and a scrape, whichever process
// receives it, answers with every worker's samples (labelled `worker`), gathered by the primary.

const timeout = 60_000;
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startCluster(env: Record<string, string> = {}): Promise<ServerProcess> {
  const folder = mkdtempSync(join(tmpdir(), "metrics-workers-"));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  const server = await startServerProcess({
    WORKERS: "2",
    DATABASE_URL: `sqlite:${join(folder, "app.db")}`,
    ...adminEnv,
    ...env,
  });
  cleanups.push(() => server.child.kill("SIGKILL"));
  // pino writes a worker's log lines asynchronously: its "Server listening" line can reach the
  // pipe after the primary's "serving" line, which startServerProcess waits for.
  await expect.poll(() => [...workerPids(server).keys()].sort(), { timeout: 10_000 }).toEqual([1, 2]);
  return server;
}

type Scrape = { text: string; samples: Map<string, number> };

/** A scrape on a connection of its own: on the public port, each goes to the next worker. */
async function scrape(base: string): Promise<Scrape> {
  const { status, body } = await requestOnNewConnection(`${base}/metrics`);
  expect(status, body).toBe(200);
  return { text: body, samples: parseSamples(body) };
}

const listCalls = { procedure: "users.list", type: "query", code: "OK" };

/** `users.list` calls counted by each worker. */
function listCallsByWorker({ samples }: Scrape): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const worker of ["1", "2"]) {
    counted[worker] = samples.get(sampleKey("trpc_calls_total", { ...listCalls, worker })) ?? 0;
  }
  return counted;
}

/** `users.list` calls counted by each worker between two scrapes. */
function listCallsBetween(before: Scrape, after: Scrape): Record<string, number> {
  const earlier = listCallsByWorker(before);
  const served: Record<string, number> = {};
  for (const [worker, calls] of Object.entries(listCallsByWorker(after))) {
    served[worker] = calls - (earlier[worker] ?? 0);
  }
  return served;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** `k` calls of users.list, each on a new connection: the primary hands them to the workers in turn. */
async function listUsers(server: ServerProcess, k: number): Promise<void> {
  const headers = { authorization: `Bearer ${await signInAsAdmin(server.url)}` };
  const input = encodeURIComponent(JSON.stringify({}));
  for (let i = 0; i < k; i++) {
    const { status } = await requestOnNewConnection(`${server.url}/trpc/users.list?input=${input}`, {
      headers,
    });
    expect(status).toBe(200);
  }
}

/** The workers (by number) that have samples of `name` in a scrape. */
function workersIn({ samples }: Scrape, name: string): string[] {
  const workers = new Set<string>();
  for (const key of samples.keys()) {
    const worker = /[{,]worker="(\d+)"/.exec(key)?.[1];
    if (key.startsWith(`${name}{`) && worker !== undefined) workers.add(worker);
  }
  return [...workers].sort();
}

/** Waits for a line of the output that `pattern` matches. */
async function outputLine(server: ServerProcess, pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(server.output());
    if (match) return match;
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern} within ${ms} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The pid of each worker listening now (the latest "Server listening" line of each). */
function workerPids(server: ServerProcess): Map<number, number> {
  const pids = new Map<number, number>();
  for (const line of server.output().split("\n")) {
    const match = /"pid":(\d+),.*"worker":(\d+),"msg":"Server listening at/.exec(line);
    if (match) pids.set(Number(match[2]), Number(match[1]));
  }
  return pids;
}

describe("/metrics with WORKERS=2", { timeout }, () => {
  it("counts every call exactly, whichever worker served it and whichever answers the scrape", async () => {
    const server = await startCluster();
    const before = await scrape(server.url);
    const k = 10;
    await listUsers(server, k);

    // Two scrapes on new connections: one answered by each worker, both with every worker's samples.
    for (const after of [await scrape(server.url), await scrape(server.url)]) {
      const served = listCallsBetween(before, after);
      expect(sum(served)).toBe(k);
      // Handed out in turn, each worker served some.
      expect(served["1"]).toBeGreaterThan(0);
      expect(served["2"]).toBeGreaterThan(0);
      expect(workersIn(after, "process_resident_memory_bytes")).toEqual(["1", "2"]);
      expect(after.samples.get(sampleKey("cluster_workers"))).toBe(2);
      expect(after.samples.get(sampleKey("cluster_worker_restarts_total"))).toBe(0);
      expect(after.samples.get(sampleKey("metrics_workers_unanswered"))).toBe(0);
      if (promtool) expect(checkMetrics(after.text)).toEqual({ status: 0, output: "" });
    }
    // Each family once, with one HELP and one TYPE line.
    const { text } = await scrape(server.url);
    const meta = text.split("\n").filter((line) => line.startsWith("# "));
    expect(meta.filter((line) => line.startsWith("# TYPE trpc_calls_total "))).toHaveLength(1);
    expect(new Set(meta).size).toBe(meta.length);
    expect(await server.stop()).toBe(0);
  });

  it("METRICS_PORT: the primary serves every worker's metrics there, and closes it when it stops", async () => {
    const server = await startCluster({ METRICS_PORT: "0" });
    // The primary logs where it serves them: its log lines carry no worker number.
    const [line, metricsUrl = ""] = await outputLine(
      server,
      /^.*metrics of every worker at (http:\/\/\S+)\/metrics.*$/m,
    );
    expect(line).not.toContain('"worker"');
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    for (let i = 0; i < 2; i++)
      expect((await requestOnNewConnection(`${server.url}/metrics`)).status).toBe(404);

    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const before = { text, samples: parseSamples(text) };
    const k = 6;
    await listUsers(server, k);
    const after = await scrape(metricsUrl);
    expect(sum(listCallsBetween(before, after))).toBe(k);
    expect(workersIn(after, "trpc_calls_total")).toEqual(["1", "2"]);
    if (promtool) expect(checkMetrics(after.text)).toEqual({ status: 0, output: "" });
    expect((await requestOnNewConnection(`${metricsUrl}/health`)).status).toBe(404);

    // A worker that does not answer (stopped here) is left out of the scrape, which says so.
    const pid = workerPids(server).get(2);
    if (pid === undefined) throw new Error("no worker 2");
    process.kill(pid, "SIGSTOP");
    cleanups.push(() => {
      try {
        process.kill(pid, "SIGCONT");
      } catch {}
    });
    try {
      const started = Date.now();
      const partial = await scrape(metricsUrl);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(partial.samples.get(sampleKey("metrics_workers_unanswered"))).toBe(1);
      expect(partial.samples.get(sampleKey("cluster_workers"))).toBe(2);
      expect(workersIn(partial, "process_resident_memory_bytes")).toEqual(["1"]);
      if (promtool) expect(checkMetrics(partial.text)).toEqual({ status: 0, output: "" });
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const whole = await scrape(metricsUrl);
    expect(whole.samples.get(sampleKey("metrics_workers_unanswered"))).toBe(0);
    expect(workersIn(whole, "process_resident_memory_bytes")).toEqual(["1", "2"]);

    expect(await server.stop()).toBe(0);
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });

  it("shows a killed worker's replacement under the same number, its counters begun afresh", async () => {
    const server = await startCluster({ METRICS_PORT: "0" });
    const [, metricsUrl = ""] = await outputLine(
      server,
      /metrics of every worker at (http:\/\/\S+)\/metrics/,
    );
    await listUsers(server, 4);
    const before = listCallsByWorker(await scrape(metricsUrl));
    expect(before["2"]).toBeGreaterThan(0);

    const pid = workerPids(server).get(2);
    if (pid === undefined) throw new Error("no worker 2");
    process.kill(pid, "SIGKILL");
    await outputLine(server, new RegExp(`worker 2 \\(pid ${pid}\\) was killed by SIGKILL; starting another`));
    // Until the replacement serves (at least the 250 ms restart delay), the scrape has worker 1 alone.
    const gap = await scrape(metricsUrl);
    expect(gap.samples.get(sampleKey("cluster_workers"))).toBe(1);
    expect(gap.samples.get(sampleKey("cluster_worker_restarts_total"))).toBe(1);
    expect(gap.samples.get(sampleKey("metrics_workers_unanswered"))).toBe(0);
    expect(workersIn(gap, "process_resident_memory_bytes")).toEqual(["1"]);

    await expect.poll(() => workerPids(server).get(2), { timeout: 10_000 }).not.toBe(pid);
    const after = await scrape(metricsUrl);
    expect(after.samples.get(sampleKey("cluster_workers"))).toBe(2);
    expect(after.samples.get(sampleKey("cluster_worker_restarts_total"))).toBe(1);
    expect(workersIn(after, "process_resident_memory_bytes")).toEqual(["1", "2"]);
    // Worker 1 kept its counts; worker 2's began again, as a counter reset that Prometheus handles.
    expect(listCallsByWorker(after)).toEqual({ "1": before["1"], "2": 0 });
    expect(await server.stop()).toBe(0);
  });

  it("METRICS_PORT drops a client that sends nothing, or headers that never end, at HEADERS_TIMEOUT_MS", async () => {
    // The primary's listener checked its timeouts every 30 s (Node's default), so a silent
    // connection was held 30 s whatever HEADERS_TIMEOUT_MS said.
    const server = await startCluster({ METRICS_PORT: "0", HEADERS_TIMEOUT_MS: "1000" });
    const [, metricsUrl = ""] = await outputLine(
      server,
      /metrics of every worker at (http:\/\/\S+)\/metrics/,
    );
    const { hostname, port } = new URL(metricsUrl);
    const heldFor = async (head: string) => {
      const socket = connect(Number(port), hostname);
      // A reset is a close too; and the 408 is read, or the socket never ends.
      socket.on("error", () => undefined);
      socket.resume();
      const closed = new Promise((resolve) => socket.once("close", resolve));
      const opened = Date.now();
      socket.write(head);
      await closed;
      return Date.now() - opened;
    };
    const held = await Promise.all([heldFor(""), heldFor("GET /metrics HTTP/1.1\r\nHost: localhost\r\n")]);
    expect(Math.max(...held)).toBeLessThan(1_000 + 3_000);
    expect(await server.stop()).toBe(0);
  });

  it("answers many scrapes at once without a warning on stderr", async () => {
    const server = await startCluster({ METRICS_PORT: "0" });
    const [, metricsUrl = ""] = await outputLine(
      server,
      /metrics of every worker at (http:\/\/\S+)\/metrics/,
    );
    const scrapes = await Promise.all(Array.from({ length: 30 }, () => scrape(metricsUrl)));
    for (const { samples } of scrapes) expect(samples.get(sampleKey("metrics_workers_unanswered"))).toBe(0);
    expect(await server.stop()).toBe(0);
    // Each scrape used to add an "exit" listener to every worker: past 10 at once, Node warned of a leak.
    expect(server.output()).not.toContain("MaxListenersExceededWarning");
  });

  it("exits 1 with one line, before any worker starts, when METRICS_PORT is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => taken.close());
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const folder = mkdtempSync(join(tmpdir(), "metrics-workers-"));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const child = spawn(process.execPath, [fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
      env: {
        ...process.env,
        WORKERS: "2",
        PORT: "0",
        METRICS_PORT: String(port),
        DATABASE_URL: `sqlite:${join(folder, "app.db")}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => child.kill("SIGKILL"));
    const { code, stdout, stderr } = await exitOf(child);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^failed to start: cannot serve \/metrics on METRICS_PORT: .*EADDRINUSE/),
    ]);
    expect(stdout).toBe("");
  });
});

describe("METRICS_PORT with WORKERS=1", { timeout }, () => {
  it("says where /metrics is served, and names METRICS_PORT when that port is taken", async () => {
    // The sole server logged no metrics URL (METRICS_PORT=0 left it unknown), and a taken
    // METRICS_PORT was reported as "set PORT to use another port".
    const folder = mkdtempSync(join(tmpdir(), "metrics-workers-"));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const server = await startServerProcess({
      WORKERS: "1",
      METRICS_PORT: "0",
      DATABASE_URL: `sqlite:${join(folder, "app.db")}`,
    });
    cleanups.push(() => server.child.kill("SIGKILL"));
    const [, metricsUrl = ""] = await outputLine(server, /metrics at (http:\/\/\S+)\/metrics/);
    expect((await scrape(metricsUrl)).samples.size).toBeGreaterThan(0);
    const { port } = new URL(metricsUrl);
    const child = spawn(process.execPath, [fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
      env: {
        ...process.env,
        WORKERS: "1",
        PORT: "0",
        METRICS_PORT: port,
        DATABASE_URL: `sqlite:${join(folder, "other.db")}`,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    cleanups.push(() => child.kill("SIGKILL"));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^failed to start: cannot serve \/metrics on METRICS_PORT: .*EADDRINUSE/),
    ]);
    expect(await server.stop()).toBe(0);
  });
});
