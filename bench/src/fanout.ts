import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { formatMb, formatMs, markdownTable } from "./format.ts";
import { LatencyRecorder } from "./latency.ts";
import { processTree, readRss, sampleRss } from "./rss.ts";
import { SseSubscriber } from "./sse-subscriber.ts";

export type FanOutOptions = {
  /** Subscriptions to `changes.onChange` held open at once, each on its own socket. */
  subscribers: number;
  /** Commits a second, spaced evenly (open loop: one is sent on time even if the last is slow). */
  rate: number;
  /** Seconds of committing that are measured. */
  seconds: number;
};

export type Percentiles = { p50: number; p99: number; max: number };

export type FanOutResult = FanOutOptions & {
  /** Changes committed in the measured seconds. */
  changes: number;
  /** Milliseconds until every subscriber had its `connected` event. */
  connectMs: number;
  /** Per subscriber and change: arrival minus the commit's response (can be negative: see docs). */
  delivery: Percentiles;
  /** Per change: the last subscriber's arrival minus the commit's response. */
  lastSubscriber: Percentiles;
  /** Per change: the last subscriber's arrival minus the moment the mutation was sent. */
  lastFromSend: Percentiles;
  /** `users.create`, request to response, while the changes fan out. */
  commit: Percentiles;
  /** Subscribers that received every change after their start exactly once, in id order. */
  exact: number;
  /** How the others differ (the first few). */
  problems: string[];
  rss: { idleBytes: number; subscribedBytes: number; peakBytes: number };
  /** CPU time over the measured seconds and the drain, as a share of one core. */
  cpu: { server: number; bench: number };
  /** The server's CPU time over the same span divided by the changes: what fanning one out costs. */
  serverCpuMsPerChange: number;
};

type Commit = { sentAt: number; respondedAt: number };

const runStamp = Date.now().toString(36);
let created = 0;

/**
 * The fan-out scenario: `subscribers` admins' SSE streams on one server (one API token each, as
 * separate clients would have), then `rate` `users.create` a second for `seconds` from one more
 * connection. For every change: when each subscriber received it, measured from the mutation's
 * response in this process; and that every subscriber got every change once, in order.
 */
export async function measureFanOut(
  server: { url: string; pid: number },
  authorization: string,
  options: FanOutOptions,
  log: (message: string) => void,
): Promise<FanOutResult> {
  assertFileLimit(options.subscribers, server.pid);
  // Committer and setup calls: one keep-alive socket, requests in turn on it.
  const committer = new Agent({ keepAlive: true, maxSockets: 1 });
  const streams = new Agent({ keepAlive: true });
  const subscribers: SseSubscriber[] = [];
  try {
    log(`fan-out: creating ${options.subscribers} API tokens for the admin`);
    const tokens = await createTokens(server.url, authorization, options.subscribers);
    const idleBytes = readRss(server.pid) ?? 0;

    // Every subscriber starts after one known change, so what it must receive is exact.
    const startId = await changeIdOf(server.url, authorization, committer, createUser());
    log(`fan-out: opening ${options.subscribers} subscriptions after change ${startId}`);
    const connectStart = performance.now();
    for (let i = 0; i < tokens.length; i += 100) {
      const wave = tokens
        .slice(i, i + 100)
        .map((token) => new SseSubscriber({ url: server.url, after: startId, token, agent: streams }));
      subscribers.push(...wave);
      // In waves: a thousand connects at once overflow the listen backlog and retry after 1 s.
      await Promise.all(wave.map((subscriber) => subscriber.connected));
    }
    const connectMs = performance.now() - connectStart;

    // Warm-up: a few changes, until every stream has read through the last one (and follows live).
    const interval = 1000 / options.rate;
    const warmUp = await commitAtRate(server.url, authorization, committer, 5, interval);
    const warmUpLast = warmUp.at(-1);
    if (!warmUpLast) throw new Error("fan-out: no warm-up commit");
    const liveFrom = await changeIdOf(server.url, authorization, committer, warmUpLast.userId);
    await untilAllReach(subscribers, liveFrom, 30_000);
    const subscribedBytes = readRss(server.pid) ?? 0;

    log(`fan-out: ${options.rate} users.create/s for ${options.seconds} s`);
    const rss = sampleRss(server.pid, 20);
    const serverCpuStart = cpuSeconds(server.pid);
    const benchCpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const measured = await commitAtRate(
      server.url,
      authorization,
      committer,
      Math.round(options.rate * options.seconds),
      interval,
    );
    const expected = await listChanges(server.url, authorization, committer, startId);
    const lastExpected = expected.at(-1)?.id ?? startId;
    await untilAllReach(subscribers, lastExpected, 10_000).catch((error: unknown) =>
      log(String(error instanceof Error ? error.message : error)),
    );
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const benchCpu = process.cpuUsage(benchCpuStart);
    const serverCpu = cpuSeconds(server.pid) - serverCpuStart;
    const peakBytes = rss.stop();

    const commits = new Map(measured.map((commit) => [commit.userId, commit]));
    const latencies = measureLatencies(subscribers, expected, commits);
    const check = checkSequences(subscribers, expected);
    const commitTimes = new LatencyRecorder();
    for (const commit of measured) commitTimes.record(commit.respondedAt - commit.sentAt);
    return {
      ...options,
      changes: measured.length,
      connectMs,
      ...latencies,
      commit: percentiles(commitTimes),
      ...check,
      rss: { idleBytes, subscribedBytes, peakBytes },
      cpu: {
        server: serverCpu / wallSeconds,
        bench: (benchCpu.user + benchCpu.system) / 1e6 / wallSeconds,
      },
      serverCpuMsPerChange: (serverCpu * 1000) / Math.max(measured.length, 1),
    };
  } finally {
    for (const subscriber of subscribers) subscriber.close();
    streams.destroy();
    committer.destroy();
  }
}

/** Each subscriber's stream as it came against the log's own list after `startId`. */
function checkSequences(
  subscribers: SseSubscriber[],
  expected: { id: number }[],
): Pick<FanOutResult, "exact" | "problems"> {
  const ids = expected.map((change) => change.id);
  const problems: string[] = [];
  let exact = 0;
  subscribers.forEach((subscriber, n) => {
    const got = subscriber.ids;
    if (got.length === ids.length && got.every((id, i) => id === ids[i])) {
      exact++;
      return;
    }
    const seen = new Set(got);
    const missing = ids.filter((id) => !seen.has(id)).length;
    const duplicates = got.length - seen.size;
    const outOfOrder = got.filter((id, i) => i > 0 && id <= (got[i - 1] ?? 0)).length;
    const ended = subscriber.ended ? `, ended: ${subscriber.ended}` : "";
    if (problems.length < 5)
      problems.push(
        `subscriber ${n}: ${got.length}/${ids.length} received, ${missing} missing, ${duplicates} duplicates, ${outOfOrder} out of order${ended}`,
      );
  });
  return { exact, problems };
}

function measureLatencies(
  subscribers: SseSubscriber[],
  expected: { id: number; entityId: number }[],
  commits: Map<number, Commit & { userId: number }>,
): Pick<FanOutResult, "delivery" | "lastSubscriber" | "lastFromSend"> {
  const arrivals = subscribers.map((subscriber) => {
    const first = new Map<number, number>();
    subscriber.ids.forEach((id, i) => {
      if (!first.has(id)) first.set(id, subscriber.arrivals[i] ?? 0);
    });
    return first;
  });
  const delivery = new LatencyRecorder();
  const last = new LatencyRecorder();
  const lastFromSend = new LatencyRecorder();
  for (const change of expected) {
    const commit = commits.get(change.entityId);
    if (!commit) continue; // the start marker and the warm-up
    let latest = Number.NEGATIVE_INFINITY;
    for (const first of arrivals) {
      const at = first.get(change.id);
      if (at === undefined) continue; // counted by checkSequences
      delivery.record(at - commit.respondedAt);
      latest = Math.max(latest, at);
    }
    if (latest === Number.NEGATIVE_INFINITY) continue;
    last.record(latest - commit.respondedAt);
    lastFromSend.record(latest - commit.sentAt);
  }
  return {
    delivery: percentiles(delivery),
    lastSubscriber: percentiles(last),
    lastFromSend: percentiles(lastFromSend),
  };
}

function percentiles(recorder: LatencyRecorder): Percentiles {
  return { p50: recorder.percentile(0.5), p99: recorder.percentile(0.99), max: recorder.percentile(1) };
}

/** Resolves once every subscriber has received `id`; rejects after `timeoutMs` or when a stream ended. */
async function untilAllReach(subscribers: SseSubscriber[], id: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const behind = subscribers.filter((subscriber) => subscriber.lastId < id);
    if (behind.length === 0) return;
    const ended = behind.find((subscriber) => subscriber.ended);
    if (ended) throw new Error(`fan-out: a subscription ended early: ${ended.ended}`);
    if (performance.now() > deadline)
      throw new Error(
        `fan-out: ${behind.length} subscribers had not received change ${id} after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `count` users.create, one every `intervalMs` from now, on the committer's one socket. */
async function commitAtRate(
  url: string,
  authorization: string,
  agent: Agent,
  count: number,
  intervalMs: number,
): Promise<(Commit & { userId: number })[]> {
  const start = performance.now();
  const commits: Promise<Commit & { userId: number }>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = createUser();
    commits.push(
      call(url, agent, "POST", "/trpc/users.create", authorization, body).then((answer) => ({
        sentAt: answer.sentAt,
        respondedAt: answer.respondedAt,
        userId: idOf(answer.data),
      })),
    );
  }
  return Promise.all(commits);
}

function createUser(): { name: string; email: string } {
  created++;
  return { name: `Fan-out ${created}`, email: `fanout-${runStamp}-${created}@example.com` };
}

/** The change recorded for a user's creation (entity "user", that id). */
async function changeIdOf(
  url: string,
  authorization: string,
  agent: Agent,
  user: number | { name: string; email: string },
): Promise<number> {
  const userId =
    typeof user === "number"
      ? user
      : idOf((await call(url, agent, "POST", "/trpc/users.create", authorization, user)).data);
  const input = encodeURIComponent(JSON.stringify({ entity: "user", entityId: userId }));
  const page = await call(url, agent, "GET", `/trpc/changes.list?input=${input}`, authorization);
  const [first] = changesOf(page.data).items;
  if (!first) throw new Error(`fan-out: no change recorded for user ${userId}`);
  return first.id;
}

/** Every change after `after`, from the log itself: what each subscriber must have received. */
async function listChanges(
  url: string,
  authorization: string,
  agent: Agent,
  after: number,
): Promise<{ id: number; entityId: number }[]> {
  const all: { id: number; entityId: number }[] = [];
  let cursor: number | null = after;
  while (cursor !== null) {
    const input = encodeURIComponent(JSON.stringify({ after: cursor, limit: 100 }));
    const page = changesOf(
      (await call(url, agent, "GET", `/trpc/changes.list?input=${input}`, authorization)).data,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  }
  return all;
}

/** One API token per subscriber, ten requests at a time. */
async function createTokens(url: string, authorization: string, count: number): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  try {
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const answer = await call(url, agent, "POST", "/trpc/auth.tokens.create", authorization, {
          name: `fan-out ${runStamp} ${i}`,
        });
        const token = fieldOf(answer.data, "token");
        if (typeof token !== "string") throw new Error(`fan-out: no token in ${JSON.stringify(answer.data)}`);
        return token;
      }),
    );
  } finally {
    agent.destroy();
  }
}

type Answer = { data: unknown; sentAt: number; respondedAt: number };

/** A tRPC call over `agent`: the answer's `result.data`, and when it was sent and fully answered. */
function call(
  url: string,
  agent: Agent,
  method: "GET" | "POST",
  path: string,
  authorization: string,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const outgoing = request(`${url}${path}`, {
      method,
      agent,
      headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    });
    outgoing.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => {
        const respondedAt = performance.now();
        if (response.statusCode !== 200) {
          reject(new Error(`fan-out: ${method} ${path} answered ${response.statusCode}: ${text}`));
          return;
        }
        const parsed: unknown = JSON.parse(text);
        resolve({ data: fieldOf(fieldOf(parsed, "result"), "data"), sentAt, respondedAt });
      });
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function idOf(value: unknown): number {
  const id = fieldOf(value, "id");
  if (typeof id !== "number") throw new Error(`fan-out: no id in ${JSON.stringify(value)}`);
  return id;
}

function changesOf(value: unknown): { items: { id: number; entityId: number }[]; nextCursor: number | null } {
  const items = fieldOf(value, "items");
  const nextCursor = fieldOf(value, "nextCursor");
  if (!Array.isArray(items) || !(typeof nextCursor === "number" || nextCursor === null))
    throw new Error(`fan-out: not a page of changes: ${JSON.stringify(value)}`);
  return {
    items: items.map((item: unknown) => ({ id: idOf(item), entityId: Number(fieldOf(item, "entityId")) })),
    nextCursor,
  };
}

/**
 * User plus system CPU seconds a process and its living descendants (a server's workers) have
 * used, from /proc/<pid>/stat (clock ticks of 1/100 s).
 */
function cpuSeconds(pid: number): number {
  let seconds = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Gone since the tree was read.
    }
  }
  return seconds;
}

/**
 * Each subscriber holds a socket in this process and one in the server. Node raises its soft
 * limit of open files to the hard limit at start, so only the hard limit (`ulimit -Hn`) matters;
 * it cannot be raised from inside the process.
 */
function assertFileLimit(subscribers: number, serverPid: number): void {
  const needed = subscribers + 200;
  for (const [who, pid] of [
    ["this process", "self"],
    ["the server", String(serverPid)],
  ] as const) {
    const limits = readFileSync(`/proc/${pid}/limits`, "utf8");
    const soft = Number(/^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1] ?? "unlimited");
    if (Number.isFinite(soft) && soft < needed)
      throw new Error(
        `fan-out: ${who} may open ${soft} files, ${needed} needed for ${subscribers} subscribers: raise \`ulimit -n\` (as root: also the hard limit) or pass --subscribers`,
      );
  }
}

/** The fan-out's figures, as markdown for docs/performance.md. */
export function fanOutTable(result: FanOutResult): string {
  const row = (name: string, p: Percentiles) => [name, formatMs(p.p50), formatMs(p.p99), formatMs(p.max)];
  const latencies = markdownTable(
    ["per change", "p50 ms", "p99 ms", "max ms"],
    [
      row("each subscriber, from the commit's response", result.delivery),
      row("last subscriber, from the commit's response", result.lastSubscriber),
      row("last subscriber, from sending the mutation", result.lastFromSend),
      row("the commit (users.create, request to response)", result.commit),
    ],
  );
  const mb = (bytes: number) => `${formatMb(bytes)}`;
  const summary = markdownTable(
    [
      "subscribers",
      "changes",
      "all connected ms",
      "every change once, in order",
      "server RSS MB: idle / subscribed / peak",
      "CPU (cores): server / bench",
      "server CPU ms a change",
    ],
    [
      [
        String(result.subscribers),
        `${result.changes} at ${result.rate}/s`,
        formatMs(result.connectMs),
        `${result.exact} of ${result.subscribers}`,
        `${mb(result.rss.idleBytes)} / ${mb(result.rss.subscribedBytes)} / ${mb(result.rss.peakBytes)}`,
        `${result.cpu.server.toFixed(2)} / ${result.cpu.bench.toFixed(2)}`,
        formatMs(result.serverCpuMsPerChange),
      ],
    ],
  );
  const verdict = result.exact === result.subscribers ? "PASS" : "MISS";
  const problems = result.problems.map((problem) => `\n  ${problem}`).join("");
  // Issue 18's targets, for 1,000 subscribers on one server: figures, never a failure.
  const p99 = result.delivery.p99;
  const added = result.rss.peakBytes - result.rss.idleBytes;
  const targets = [
    `each subscriber, p99 from the commit: ${formatMs(p99)} ms (goal <= 200 ms): ${p99 <= 200 ? "PASS" : "MISS"}`,
    `server RSS added, peak over idle: ${mb(added)} MB (goal <= 50 MB): ${added <= 50 * 1024 * 1024 ? "PASS" : "MISS"}`,
  ].join("\n");
  return `${latencies}\n\n${summary}\n\nevery subscriber got every change exactly once, in order: ${verdict}${problems}\n${targets}`;
}
