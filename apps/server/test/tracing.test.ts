import { randomBytes } from "node:crypto";
import { createClient } from "@app/client";
import { createScratchDatabase, testedDialects } from "@app/db/testing";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { startTestServer, testAdmin } from "./support/harness.ts";
import { type ReceivedSpan, spanKind, startOtlpReceiver } from "./support/otlp-receiver.ts";
import { startAdminServerProcess } from "./support/server-process.ts";

const timeout = 60_000;

/** A span of "the script": the ids a caller's own tracing would put in its `traceparent`. */
function scriptSpan() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** The server's JSON log lines. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const tracingEnv = (receiverUrl: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_BSP_SCHEDULE_DELAY: "100",
  OTEL_SERVICE_NAME: "tracing-test",
});

for (const { dialect, skip } of await testedDialects()) {
  (skip ? describe.skip : describe)(`traces over OTLP/HTTP [${dialect}]`, () => {
    it("a script's calls make one trace: request, procedure and SQL spans, without the values; its log lines carry it", {
      timeout,
    }, async () => {
      await using receiver = await startOtlpReceiver();
      await using database = await createScratchDatabase(dialect);
      await using server = await startAdminServerProcess({
        DATABASE_URL: database.url,
        ...tracingEnv(receiver.url),
      });
      const script = scriptSpan();
      const client = createClient({
        url: server.url,
        token: server.adminToken,
        traceparent: script.traceparent,
      });
      const secret = { name: "Secretive Sam", email: "sam.secret@example.com", newName: "Hidden Hannah" };
      const sam = await client.users.create.mutate({ name: secret.name, email: secret.email });
      await client.users.update.mutate({ id: sam.id, name: secret.newName });
      // Three calls made together: one HTTP request (the direct fast path), three procedure calls.
      await Promise.all([
        client.users.byId.query({ id: sam.id }),
        client.users.byId.query({ id: 1 }),
        client.users.byId.query({ id: sam.id }),
      ]);
      const headers = { ...server.adminHeaders, traceparent: script.traceparent };
      // REST, and a streamed batch (answered by tRPC's own handler).
      expect((await fetch(`${server.url}/api/users/${sam.id}`, { headers })).status).toBe(200);
      const input = encodeURIComponent(JSON.stringify({ 0: { id: sam.id } }));
      const streamed = await fetch(`${server.url}/trpc/users.byId?batch=1&input=${input}`, {
        headers: { ...headers, "trpc-accept": "application/jsonl" },
      });
      expect(await streamed.text()).toContain(secret.newName);
      // A body that arrives in pieces, well after the headers: read from the socket's events.
      const slowBody = new ReadableStream<Uint8Array>({
        async start(controller) {
          const text = JSON.stringify({ name: "Slow Sue", email: "slow.sue@example.com" });
          controller.enqueue(new TextEncoder().encode(text.slice(0, 10)));
          await new Promise((resolve) => setTimeout(resolve, 200));
          controller.enqueue(new TextEncoder().encode(text.slice(10)));
          controller.close();
        },
      });
      const slow = await fetch(`${server.url}/trpc/users.create`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: slowBody,
        duplex: "half",
      });
      expect(slow.status).toBe(200);
      // Refused once its body is read (not UTF-8): answered from outside the request's context.
      const refused = await fetch(`${server.url}/trpc/users.create`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: new Uint8Array([0xff, 0xfe]),
      });
      expect(refused.status).toBe(400);
      // SIGTERM: the server exports what it still holds before it exits.
      expect(await server.stop()).toBe(0);

      const ours = receiver.spans.filter((span) => span.traceId === script.traceId);
      const childrenOf = (parent: ReceivedSpan | undefined) =>
        ours.filter((span) => parent !== undefined && span.parentSpanId === parent.spanId);
      const requests = ours.filter((span) => span.kind === spanKind.server);
      expect(requests.map((span) => span.name).sort()).toEqual([
        "GET /api/users/:id",
        "GET /trpc/:path",
        "GET /trpc/:path",
        "POST /trpc/:path",
        "POST /trpc/:path",
        "POST /trpc/:path",
        "POST /trpc/:path",
      ]);
      for (const request of requests) {
        expect(request.parentSpanId).toBe(script.spanId);
        expect(request.serviceName).toBe("tracing-test");
      }
      expect(requests.map((span) => span.attributes["http.response.status_code"]).sort()).toEqual([
        200, 200, 200, 200, 200, 200, 400,
      ]);

      // The mutation: its procedure span, and under it every statement of its transaction.
      const creates = requests.filter((span) => childrenOf(span)[0]?.name === "trpc users.create");
      expect(creates).toHaveLength(2); // the slow body's call too
      const post = requests.find(
        (span) => span.name === "POST /trpc/:path" && childrenOf(span)[0]?.name === "trpc users.create",
      );
      const [create, ...others] = childrenOf(post);
      expect(others).toEqual([]);
      expect(create?.name).toBe("trpc users.create");
      const statements = childrenOf(create);
      for (const statement of statements) {
        expect(statement.kind).toBe(spanKind.client);
        expect(statement.attributes["db.system.name"]).toBe(dialect);
        expect(statement.attributes["db.query.text"]).toEqual(expect.any(String));
      }
      const operations = statements.map((span) => span.attributes["db.operation.name"]);
      // The caller's session is looked up first, then the unit of work's transaction.
      expect(operations.slice(0, 3)).toEqual(["SELECT", "BEGIN", "INSERT"]);
      expect(operations.at(-1)).toBe("COMMIT");
      const insert = statements.find((span) => span.attributes["db.collection.name"] === "users");
      expect(insert?.attributes["db.query.text"]).toMatch(/^insert into .*users/i);

      // An update goes through the ORM, which writes the values into the SQL: the span has "?".
      const [update] = childrenOf(requests.find((span) => childrenOf(span)[0]?.name === "trpc users.update"));
      const updates = childrenOf(update).filter((span) => span.attributes["db.operation.name"] === "UPDATE");
      expect(updates.map((span) => span.attributes["db.query.text"])).toContainEqual(
        expect.stringMatching(/^update .*users.* set .*name.* = \?/i),
      );

      // The batch of three calls: three procedure spans of the one request. The three share one
      // read (coalesced by id, docs/decisions/007-coalesced-reads-by-id.md): its statement is a
      // child of the call that sent it. A lone call (REST, the streamed batch) has its own.
      const gets = requests.filter((span) => span.name === "GET /trpc/:path").map(childrenOf);
      expect(gets.map((calls) => calls.length).sort()).toEqual([1, 3]);
      const rest = childrenOf(requests.find((span) => span.name === "GET /api/users/:id"));
      expect(rest).toHaveLength(1);
      for (const calls of [...gets, rest]) {
        expect(calls.every((call) => call.name === "trpc users.byId")).toBe(true);
        const reads = calls.flatMap(childrenOf);
        expect(reads.length).toBeGreaterThan(0);
        expect(reads.every((span) => span.attributes["db.operation.name"] === "SELECT")).toBe(true);
        expect(reads.map((span) => span.name)).toContain("SELECT users");
      }

      // No value a caller sent is in any span of any trace (sign-in's included), only the statements.
      const exported = receiver.bodies.join("\n");
      for (const value of [secret.name, secret.email, secret.newName, testAdmin.email, testAdmin.password]) {
        expect(exported).not.toContain(value);
      }

      // The request lines carry the trace and one of its spans.
      const traced = logLines(server.output()).filter((line) => line.trace_id === script.traceId);
      expect(traced.filter((line) => line.msg === "request completed")).toHaveLength(7);
      const spanIds = new Set(ours.map((span) => span.spanId));
      for (const line of traced) expect(spanIds.has(String(line.span_id))).toBe(true);
    });
  });
}

describe("a collector that cannot be reached", () => {
  it("logs each failed export outside any request's trace; the server serves and stops within 10 s", {
    timeout,
  }, async () => {
    // A port nothing listens on: every export is refused at once.
    const closed = await startOtlpReceiver();
    const collector = closed.url;
    await closed[Symbol.asyncDispose]();
    await using database = await createScratchDatabase("sqlite");
    await using server = await startAdminServerProcess({
      DATABASE_URL: database.url,
      ...tracingEnv(collector),
      OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
    });
    const client = createClient({ url: server.url, token: server.adminToken });
    await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const failures = () =>
      logLines(server.output()).filter((line) => String(line.msg).startsWith("OpenTelemetry:"));
    await expect.poll(() => failures().length, { timeout: 15_000 }).toBeGreaterThan(0);
    // The export ran in the context of whichever request's span ended first: its line carried
    // that request's trace_id, which sent whoever followed it to an unrelated trace.
    expect(failures().filter((line) => "trace_id" in line || "span_id" in line)).toEqual([]);
    expect((await client.users.list.query({})).items.length).toBe(2);
    const stopping = Date.now();
    expect(await server.stop()).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });
});

describe("tracing off", () => {
  it("is the default: no hook, no export, no trace ids in the log, even for a caller's traceparent", {
    timeout,
  }, async () => {
    await using receiver = await startOtlpReceiver();
    await using database = await createScratchDatabase("sqlite");
    // Disabled outright, although an endpoint is set.
    await using server = await startAdminServerProcess({
      DATABASE_URL: database.url,
      ...tracingEnv(receiver.url),
      OTEL_SDK_DISABLED: "true",
    });
    const script = scriptSpan();
    const client = createClient({
      url: server.url,
      token: server.adminToken,
      traceparent: script.traceparent,
    });
    await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    expect(await server.stop()).toBe(0);
    expect(receiver.requests()).toBe(0);
    const lines = logLines(server.output());
    expect(lines.some((line) => line.msg === "request completed")).toBe(true);
    expect(lines.filter((line) => "trace_id" in line || "span_id" in line)).toEqual([]);
  });

  it("installs no request hook when off, and its two when on", { timeout }, async () => {
    const hooks = (server: { app: { printRoutes(options: { includeHooks: boolean }): string } }) =>
      server.app.printRoutes({ includeHooks: true });
    {
      await using off = await startTestServer();
      expect(hooks(off)).not.toMatch(/startRequestSpan|enterRequestSpan/);
    }
    await using receiver = await startOtlpReceiver();
    await using on = await startTestServer(tracingEnv(receiver.url));
    expect(hooks(on)).toMatch(/startRequestSpan/);
    expect(hooks(on)).toMatch(/enterRequestSpan/);
  });
});

describe("a script with its own OpenTelemetry SDK", () => {
  it("joins its calls to its active span with `propagateTrace`", { timeout }, async () => {
    await using receiver = await startOtlpReceiver();
    await using database = await createScratchDatabase("sqlite");
    await using server = await startAdminServerProcess({
      DATABASE_URL: database.url,
      ...tracingEnv(receiver.url),
    });
    // The script's SDK, in this process (the server runs in its own).
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const client = createClient({ url: server.url, token: server.adminToken, propagateTrace: true });
      const ids = await trace.getTracer("script").startActiveSpan("nightly report", async (span) => {
        await client.users.list.query({});
        span.end();
        return span.spanContext();
      });
      expect(await server.stop()).toBe(0);
      const request = receiver.spans.find(
        (span) => span.kind === spanKind.server && span.traceId === ids.traceId,
      );
      expect(request?.parentSpanId).toBe(ids.spanId);
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["nightly report"]);
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
});
