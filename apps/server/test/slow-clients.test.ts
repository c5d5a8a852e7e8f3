import { connect, type Socket } from "node:net";
import { createScratchDatabase, type ScratchDatabase } from "@app/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminServerProcess, startAdminServerProcess } from "./support/server-process.ts";

/**
 * Clients that are slow on purpose (a body trickled a byte at a time, headers never finished, a
 * body that never comes, an idle keep-alive connection, hundreds of slow-loris sockets) are cut
 * off at the configured timeouts, each with a warning line naming the client's address and what
 * ran out, while ordinary clients are served and event streams, quiet but for their pings, stay
 * open. Before, no timeout was set at all: each such socket was held open forever.
 *
 * Small timeouts here; the bounds are generous, for a loaded machine.
 */
const limits = { request: 1_500, headers: 1_000, keepAlive: 1_000, idle: 1_000 };
/** Node checks the request and header timeouts on an interval; the socket then closes. */
const slackMs = 2_000;

let database: ScratchDatabase;
let server: AdminServerProcess;

beforeAll(async () => {
  database = await createScratchDatabase("sqlite");
  server = await startAdminServerProcess({
    DATABASE_URL: database.url,
    REQUEST_TIMEOUT_MS: String(limits.request),
    HEADERS_TIMEOUT_MS: String(limits.headers),
    KEEP_ALIVE_TIMEOUT_MS: String(limits.keepAlive),
    IDLE_TIMEOUT_MS: String(limits.idle),
  });
});

afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  await database?.drop();
});

/** A raw connection to the server: what it has received, and when the server closed it. */
type RawConnection = {
  socket: Socket;
  openedAt: number;
  received(): string;
  /** Resolves with the time (ms since opening) at which the server closed the connection. */
  closed: Promise<number>;
};

async function openConnection(): Promise<RawConnection> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const openedAt = Date.now();
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString();
  });
  // A reset is a close too: the server may destroy the socket while this side still writes.
  socket.on("error", () => undefined);
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - openedAt)));
  return { socket, openedAt, received: () => received, closed };
}

/** Writes `text` one byte every `everyMs` until the connection closes. */
function trickle(connection: RawConnection, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (connection.socket.destroyed || at >= text.length) return clearInterval(timer);
    connection.socket.write(text.charAt(at++));
  }, everyMs);
  void connection.closed.then(() => clearInterval(timer));
}

/** The server's JSON log lines so far that warn about a timeout. */
function timeoutWarnings(): { timeout: string; remoteAddress: string; msg: string }[] {
  return server
    .output()
    .split("\n")
    .filter((line) => line.includes('"timeout":'))
    .map((line) => JSON.parse(line));
}

/** Polls until the server has logged a timeout warning of `kind` (its log is written asynchronously). */
async function warningAbout(kind: string, since: number): Promise<{ remoteAddress: string; msg: string }> {
  for (let waited = 0; waited < 3_000; waited += 50) {
    const found = timeoutWarnings()
      .slice(since)
      .find((warning) => warning.timeout === kind);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no "${kind}" timeout warning in the log:\n${server.output()}`);
}

const postHead = (length: number) =>
  `POST /api/users/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe("slow clients", { timeout: 30_000 }, () => {
  it("closes a connection whose body trickles in a byte every 200 ms once REQUEST_TIMEOUT_MS passes, and logs it", async () => {
    const warnings = timeoutWarnings().length;
    const connection = await openConnection();
    connection.socket.write(postHead(1_000));
    trickle(connection, "x".repeat(1_000), 200);

    const closedAfter = await connection.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(limits.request - 100);
    expect(closedAfter).toBeLessThan(limits.request + slackMs);
    // fastify answers 408 when the socket can still take it.
    expect(connection.received()).toMatch(/^(HTTP\/1\.1 408 Request Timeout\r\n|$)/);
    const warning = await warningAbout("request", warnings);
    expect(warning.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(warning.msg).toContain("REQUEST_TIMEOUT_MS");
  });

  it("closes a connection whose headers never end once HEADERS_TIMEOUT_MS passes, and logs it", async () => {
    const warnings = timeoutWarnings().length;
    const connection = await openConnection();
    connection.socket.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");
    trickle(connection, `X-Slow: ${"y".repeat(100)}`, 200);

    const closedAfter = await connection.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(limits.headers - 100);
    expect(closedAfter).toBeLessThan(limits.headers + slackMs);
    const warning = await warningAbout("headers", warnings);
    expect(warning.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(warning.msg).toContain("HEADERS_TIMEOUT_MS");
  });

  it("closes a connection whose body never comes once IDLE_TIMEOUT_MS passes, and logs it", async () => {
    const warnings = timeoutWarnings().length;
    const connection = await openConnection();
    connection.socket.write(postHead(100));

    const closedAfter = await connection.closed;
    expect(closedAfter).toBeLessThan(limits.idle + slackMs);
    const warning = await warningAbout("idle", warnings);
    expect(warning.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(warning.msg).toContain("POST /api/users/");
  });

  it("leaves a password sent in the query string out of its timeout warnings", async () => {
    // The warnings logged the raw URL, when every other log line drops such a query string.
    const warnings = timeoutWarnings().length;
    const head = (secret: string) =>
      `POST /api/auth/signin?password=${secret} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const trickled = await openConnection();
    trickled.socket.write(head("TrickledSecret1"));
    trickle(trickled, "x".repeat(100), 200);
    const stalled = await openConnection();
    stalled.socket.write(head("StalledSecret2"));
    await Promise.all([trickled.closed, stalled.closed]);
    const request = await warningAbout("request", warnings);
    const idle = await warningAbout("idle", warnings);
    expect(request.msg).toContain("REQUEST_TIMEOUT_MS");
    expect(idle.msg).toContain("POST /api/auth/signin?[redacted]");
    expect(server.output()).not.toContain("TrickledSecret1");
    expect(server.output()).not.toContain("StalledSecret2");
  });

  it("closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS", async () => {
    const connection = await openConnection();
    connection.socket.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");
    const closedAfter = await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(connection.received()).toContain(`Keep-Alive: timeout=${limits.keepAlive / 1000}`);
    // Node allows a second more than it announces, so that a client never sends into a closing socket.
    expect(closedAfter).toBeGreaterThanOrEqual(limits.keepAlive);
    expect(closedAfter).toBeLessThan(limits.keepAlive + 1_000 + slackMs);
  });

  it("serves an ordinary client while 300 slow-loris connections hold their headers back, then drops them all", async () => {
    const loris = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const connection = await openConnection();
        connection.socket.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");
        trickle(connection, "X-A: b\r\n".repeat(50), 300);
        return connection;
      }),
    );
    const started = Date.now();
    const response = await fetch(`${server.url}/trpc/users.list`, {
      headers: server.adminHeaders,
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);

    const closedAfter = await Promise.all(loris.map((connection) => connection.closed));
    expect(Math.max(...closedAfter)).toBeLessThan(limits.headers + slackMs + 1_000);
  });

  it("keeps event streams open well past every timeout: they ping", async () => {
    const open = async (path: string) => {
      const controller = new AbortController();
      const response = await fetch(`${server.url}${path}`, {
        headers: { accept: "text/event-stream", ...server.adminHeaders },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      const reader = response.body?.getReader();
      if (!reader) throw new Error("no body");
      const stream = { text: "", ended: false, close: () => controller.abort() };
      void (async () => {
        const decoder = new TextDecoder();
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            stream.text += decoder.decode(chunk.value);
          }
        } catch {
          // Aborted by close().
        }
        stream.ended = true;
      })();
      return stream;
    };
    const overTrpc = await open(`/trpc/changes.onChange?input=${encodeURIComponent("{}")}`);
    const overRest = await open("/api/changes/stream");
    try {
      // Longer than tRPC's 10 s ping interval and many times IDLE_TIMEOUT_MS.
      await new Promise((resolve) => setTimeout(resolve, 11_500));
      expect(overTrpc.ended).toBe(false);
      expect(overRest.ended).toBe(false);
      expect(overTrpc.text).toContain("ping");
    } finally {
      overTrpc.close();
      overRest.close();
    }
  });
});
