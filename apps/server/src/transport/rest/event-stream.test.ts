import { once } from "node:events";
import http, { type IncomingMessage } from "node:http";
import { TRPCError, tracked } from "@trpc/server";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { OpenStreams, serveEventStream } from "./event-stream.ts";

type Source = (signal: AbortSignal) => AsyncGenerator<unknown>;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A server whose one route streams what `source` yields, pinging every 20 ms. */
async function serve(source: Source) {
  const open = new OpenStreams();
  const server = Fastify();
  server.get("/events", async (request, reply) => {
    const controller = new AbortController();
    const events = source(controller.signal);
    return serveEventStream({
      request,
      reply,
      events,
      first: undefined,
      controller,
      open,
      exposeErrors: false,
      pingMs: 20,
    });
  });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  apps.push(server);
  return { url: `${url}/events`, open, server };
}

function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, resolve).on("error", reject);
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  response.setEncoding("utf8");
  let text = "";
  for await (const chunk of response) text += chunk;
  return text;
}

/** Resolves once the signal aborts: a subscription that waits for changes that never come. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("serveEventStream", () => {
  it("writes tracked values with their id, others as data alone, and a failure as a last error event", async () => {
    const { url } = await serve(async function* () {
      yield tracked("7", { id: 7, title: "Pen" });
      yield { note: "untracked" };
      throw new TRPCError({ code: "CONFLICT", message: "Something changed" });
    });
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    const text = await readAll(response);
    const frames = text.split("\n\n").filter((frame) => frame !== "" && !frame.startsWith(":"));
    expect(frames).toEqual([
      'id: 7\ndata: {"id":7,"title":"Pen"}',
      'data: {"note":"untracked"}',
      'event: error\ndata: {"error":{"code":"CONFLICT","message":"Something changed"}}',
    ]);
  });

  it("hides an unexpected failure's message, as REST errors do", async () => {
    const { url } = await serve(async function* () {
      yield tracked("1", {});
      throw new Error("SQLITE_CORRUPT: secret detail");
    });
    const text = await readAll(await get(url));
    expect(text).toContain('event: error\ndata: {"error":{"code":"INTERNAL_SERVER_ERROR"');
    expect(text).not.toContain("SQLITE_CORRUPT");
  });

  it("sends a comment ping while there is nothing to send", async () => {
    const { url } = await serve(async function* (signal) {
      yield tracked("1", {});
      await aborted(signal);
    });
    const response = await get(url);
    response.setEncoding("utf8");
    let text = "";
    response.on("data", (chunk: string) => {
      text += chunk;
    });
    await until(() => text.split(": ping\n\n").length > 3, "three pings");
    expect(text.startsWith(": following\n\nid: 1\n")).toBe(true);
    response.destroy();
  });

  it("aborts the subscription and lets it finish when the client goes away", async () => {
    let finished = false;
    const { url, open } = await serve(async function* (signal) {
      try {
        yield tracked("1", {});
        await aborted(signal);
      } finally {
        finished = true;
      }
    });
    const response = await get(url);
    await once(response, "data");
    expect(open.size).toBe(1);
    response.destroy();
    await until(() => finished && open.size === 0, "the subscription to finish");
  });

  it("waits for a slow reader instead of buffering: the subscription is held back", async () => {
    let yielded = 0;
    const frame = "x".repeat(64 * 1024);
    const { url } = await serve(async function* () {
      for (;;) {
        yielded += 1;
        yield tracked(String(yielded), frame);
      }
    });
    const response = await get(url);
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = yielded;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Socket buffers hold some megabytes; an unbounded writer would have queued thousands by now.
    expect(yielded).toBe(held);
    expect(yielded).toBeLessThan(400);
    // Reading again lets it go on, in order.
    response.setEncoding("utf8");
    let text = "";
    response.on("data", (chunk: string) => {
      text += chunk;
    });
    response.resume();
    await until(() => yielded > held + 20, "more events");
    expect(text.startsWith(": following\n\nid: 1\n")).toBe(true);
    response.destroy();
  });

  it("ends every open stream when the server shuts down, even one whose client stopped reading", async () => {
    const frame = "x".repeat(64 * 1024);
    const quiet = await serve(async function* (signal) {
      yield tracked("1", {});
      await aborted(signal);
    });
    const busy = await serve(async function* () {
      for (let id = 1; ; id++) yield tracked(String(id), frame);
    });
    const idleText = readAll(await get(quiet.url));
    const stalled = await get(busy.url);
    stalled.pause();
    await until(() => quiet.open.size === 1 && busy.open.size === 1, "both streams to open");
    await new Promise((resolve) => setTimeout(resolve, 100));

    quiet.open.closeAll();
    expect(await idleText).toMatch(
      /event: error\ndata: \{"error":\{"code":"SERVICE_UNAVAILABLE","message":"[^"]*resume/,
    );
    expect(quiet.open.size).toBe(0);

    // The stalled one is cut rather than left waiting for a client that does not read.
    busy.open.closeAll();
    await until(() => busy.open.size === 0, "the stalled stream to end");
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        busy.server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const deadline = Date.now() + 5_000;
    while ((await connections()) > 0) {
      if (Date.now() > deadline) throw new Error("the stalled connection stayed open");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stalled.destroy();
  });
});
