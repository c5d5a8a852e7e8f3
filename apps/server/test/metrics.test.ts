import { once } from "node:events";
import { connect } from "node:net";
import { describeEachDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/harness.ts";
import { changes, parseSamples, sampleKey } from "./support/prometheus-text.ts";
import { checkMetrics, promtool } from "./support/promtool.ts";

const timeout = 30_000;

async function scrape(server: TestServer, base = server.url): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseSamples(await response.text());
}

const query = (path: string, input: unknown) =>
  `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;

const calls = (procedure: string, type: string, code: string) =>
  sampleKey("trpc_calls_total", { procedure, type, code });
const requests = (method: string, route: string, status: string) =>
  sampleKey("http_requests_total", { method, route, status });

/** A stream the client holds open until `close()`; resolves once its headers have arrived. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  return { close: () => controller.abort() };
}

await describeEachDatabase("/metrics", (dialect) => {
  it(
    "counts each procedure call by outcome and each HTTP request by route pattern, exactly",
    async () => {
      await using server = await startTestServer({}, dialect);
      const admin = server.adminHeaders;
      const id = server.admin.id;
      const before = await scrape(server);

      // A single call, a batch of two, a REST call, invalid input, no credential, a missing record.
      expect((await fetch(`${server.url}${query("users.byId", { id })}`, { headers: admin })).status).toBe(
        200,
      );
      const batch = `/trpc/users.byId,users.list?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id }, 1: {} }))}`;
      expect((await fetch(`${server.url}${batch}`, { headers: admin })).status).toBe(200);
      expect((await server.fetchAsAdmin(`/api/users/${id}`)).status).toBe(200);
      expect(
        (await fetch(`${server.url}${query("users.byId", { id: "one" })}`, { headers: admin })).status,
      ).toBe(400);
      expect((await fetch(`${server.url}${query("users.list", {})}`)).status).toBe(401);
      expect((await server.fetchAsAdmin("/api/users/999999")).status).toBe(404);
      // URLs a hostile client invents: counted under their route pattern, never as themselves.
      expect((await fetch(`${server.url}/trpc/no.such.procedure${Math.random()}`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/no/such/${Math.random()}`)).status).toBe(404);
      expect((await fetch(`${server.url}/nothing/${Math.random()}`, { method: "PATCH" })).status).toBe(404);

      const after = await scrape(server);
      // The scrapes themselves are not counted; a procedure that does not exist is no call.
      expect(changes(before, after, "trpc_calls_total")).toEqual({
        [calls("users.byId", "query", "OK")]: 3,
        [calls("users.list", "query", "OK")]: 1,
        [calls("users.byId", "query", "BAD_REQUEST")]: 1,
        [calls("users.list", "query", "UNAUTHORIZED")]: 1,
        [calls("users.byId", "query", "NOT_FOUND")]: 1,
      });
      expect(changes(before, after, "trpc_call_duration_seconds_count")).toEqual({
        [sampleKey("trpc_call_duration_seconds_count", { procedure: "users.byId" })]: 5,
        [sampleKey("trpc_call_duration_seconds_count", { procedure: "users.list" })]: 2,
      });
      expect(changes(before, after, "http_requests_total")).toEqual({
        [requests("GET", "/trpc/:path", "200")]: 2,
        [requests("GET", "/trpc/:path", "400")]: 1,
        [requests("GET", "/trpc/:path", "401")]: 1,
        [requests("GET", "/trpc/:path", "404")]: 1,
        [requests("GET", "/api/users/:id", "200")]: 1,
        [requests("GET", "/api/users/:id", "404")]: 1,
        [requests("GET", "/api/*", "404")]: 1,
        [requests("PATCH", "unmatched", "404")]: 1,
      });
      const durations = (method: string, route: string) =>
        sampleKey("http_request_duration_seconds_count", { method, route });
      expect(changes(before, after, "http_request_duration_seconds_count")).toEqual({
        [durations("GET", "/trpc/:path")]: 5,
        [durations("GET", "/api/users/:id")]: 2,
        [durations("GET", "/api/*")]: 1,
        [durations("PATCH", "unmatched")]: 1,
      });
      // Each histogram's +Inf bucket is its count.
      for (const [key, value] of after) {
        if (!key.includes("_bucket{") || !key.includes('le="+Inf"')) continue;
        const count = key
          .replace("_bucket{", "_count{")
          .replace(/,?le="\+Inf"/, "")
          .replace("{,", "{");
        expect(after.get(count), key).toBe(value);
      }
      expect(after.get(sampleKey("http_requests_in_flight"))).toBe(0);
    },
    timeout,
  );

  it(
    "reports the connection pool: open, in use, waiting and its size",
    async () => {
      await using server = await startTestServer({ DATABASE_POOL_MAX: "3" }, dialect);
      const samples = await scrape(server);
      expect(samples.get(sampleKey("db_pool_connections_max"))).toBe(dialect === "sqlite" ? 1 : 3);
      expect(samples.get(sampleKey("db_pool_connections_open"))).toBeGreaterThanOrEqual(1);
      expect(samples.get(sampleKey("db_pool_connections_in_use"))).toBe(0);
      expect(samples.get(sampleKey("db_pool_waiting"))).toBe(0);
      // SQLite's lock counters exist on SQLite only.
      expect(samples.has(sampleKey("sqlite_lock_timeouts_total"))).toBe(dialect === "sqlite");
    },
    timeout,
  );
});

describe("/metrics", () => {
  it(
    "counts open subscriptions and requests in flight while streams are open, and both fall back to 0",
    async () => {
      await using server = await startTestServer();
      const gauges = async () => {
        const samples = await scrape(server);
        return {
          subscriptions: samples.get(sampleKey("live_subscriptions_open")),
          inFlight: samples.get(sampleKey("http_requests_in_flight")),
        };
      };
      const before = await scrape(server);
      expect(await gauges()).toEqual({ subscriptions: 0, inFlight: 0 });

      const overTrpc = await openStream(`${server.url}${query("changes.onChange", {})}`, server.adminHeaders);
      await expect.poll(gauges).toEqual({ subscriptions: 1, inFlight: 1 });
      const overRest = await openStream(`${server.url}/api/changes/stream`, server.adminHeaders);
      await expect.poll(gauges).toEqual({ subscriptions: 2, inFlight: 2 });
      overTrpc.close();
      overRest.close();
      await expect.poll(gauges).toEqual({ subscriptions: 0, inFlight: 0 });

      const after = await scrape(server);
      expect(changes(before, after, "trpc_calls_total")).toEqual({
        [calls("changes.onChange", "subscription", "OK")]: 2,
      });
      // Streams are counted when they end, with the status they were answered with; their
      // duration (the subscription's life) is not a request latency.
      expect(changes(before, after, "http_requests_total")).toEqual({
        [requests("GET", "/trpc/:path", "200")]: 1,
        [requests("GET", "/api/changes/stream", "200")]: 1,
      });
      expect(changes(before, after, "http_request_duration_seconds_count")).toEqual({});
    },
    timeout,
  );

  it(
    "counts a request whose client leaves mid-body as 499, and lets go of it in flight",
    async () => {
      await using server = await startTestServer();
      const before = await scrape(server);
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      await once(socket, "connect");
      // Headers and the first byte of a body that never comes.
      socket.write(
        "POST /trpc/users.create HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
      );
      const inFlight = async () => (await scrape(server)).get(sampleKey("http_requests_in_flight"));
      await expect.poll(inFlight).toBe(1);
      socket.destroy();
      await expect.poll(inFlight).toBe(0);
      expect(changes(before, await scrape(server), "http_requests_total")).toEqual({
        [requests("POST", "/trpc/:path", "499")]: 1,
      });
    },
    timeout,
  );

  it.skipIf(!promtool)(
    "passes `promtool check metrics`",
    async () => {
      await using server = await startTestServer();
      await server.client.users.list.query({});
      await server.fetchAsAdmin("/api/users/999999");
      await fetch(`${server.url}/api/nothing`);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(checkMetrics(text)).toEqual({ status: 0, output: "" });
    },
    timeout,
  );

  it(
    "METRICS=off: /metrics answers 404",
    async () => {
      await using server = await startTestServer({ METRICS: "off" });
      await server.client.users.list.query({});
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      expect(server.metricsUrl).toBeUndefined();
    },
    timeout,
  );

  it(
    "METRICS_PORT: /metrics is served on that port only, which closes with the server",
    async () => {
      const server = await startTestServer({ METRICS_PORT: "0" });
      try {
        const metricsUrl = server.metricsUrl;
        if (metricsUrl === undefined) throw new Error("no metrics listener");
        expect(metricsUrl).not.toBe(server.url);
        expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
        await server.client.users.list.query({});
        const samples = await scrape(server, metricsUrl);
        expect(samples.get(calls("users.list", "query", "OK"))).toBe(1);
        // The public 404 above was counted there (no route answers it); scrapes on this port are not.
        expect(samples.get(requests("GET", "unmatched", "404"))).toBe(1);
        await server[Symbol.asyncDispose]();
        await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
      } finally {
        await server[Symbol.asyncDispose]();
      }
    },
    timeout,
  );
});

describe("METRICS_PORT and slow clients", () => {
  it(
    "cuts off a trickled body and headers that never end on the metrics port at the configured timeouts",
    async () => {
      // Its listener had fastify's defaults: a trickled body was held for ever, and headers for 60 s.
      await using server = await startTestServer({
        METRICS_PORT: "0",
        REQUEST_TIMEOUT_MS: "1500",
        HEADERS_TIMEOUT_MS: "1000",
        IDLE_TIMEOUT_MS: "1000",
      });
      const metricsUrl = server.metricsUrl;
      if (metricsUrl === undefined) throw new Error("no metrics listener");
      const { hostname, port } = new URL(metricsUrl);
      const slowClient = async (head: string) => {
        const socket = connect(Number(port), hostname);
        await once(socket, "connect");
        // A reset is a close too: the server may destroy the socket while this side still writes.
        // Its 408 is read, or the socket would never end.
        socket.on("error", () => undefined);
        socket.resume();
        const closed = new Promise((resolve) => socket.once("close", resolve));
        const opened = Date.now();
        socket.write(head);
        // A byte every 200 ms: never idle, never done.
        const timer = setInterval(() => socket.writable && socket.write("x"), 200);
        await closed;
        clearInterval(timer);
        return Date.now() - opened;
      };
      const [body, headers] = await Promise.all([
        slowClient("POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"),
        slowClient("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: "),
      ]);
      expect(body).toBeLessThan(1_500 + 3_000);
      expect(headers).toBeLessThan(1_000 + 3_000);
    },
    timeout,
  );
});
