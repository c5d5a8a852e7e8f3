import { once } from "node:events";
import { PassThrough } from "node:stream";
import { appRouter, type Context } from "@app/api";
import { callTRPCProcedure, isTrackedEnvelope, TRPCError } from "@trpc/server";
import type { FastifyReply, FastifyRequest } from "fastify";
import { allowStreamIdle } from "../../http-timeouts.ts";
import { toRestError } from "./errors.ts";

/** A comment line this often: proxies keep an idle stream open, and a client notices a dead one. */
export const pingIntervalMs = 15_000;

/** Why a stream's signal aborted when the server, not the client, ended it. */
const shuttingDown = Symbol("the server is shutting down");

/**
 * Opens a subscription as tRPC's own handler would (access rules, input validation, the
 * procedure), and returns the events it will yield. Throws what the call refuses before any
 * event (401, 400). `signal` ends it: the procedure stops waiting and returns.
 */
export async function openSubscription(options: {
  path: string;
  input: unknown;
  ctx: Context;
  signal: AbortSignal;
}): Promise<AsyncIterator<unknown>> {
  const events: unknown = await callTRPCProcedure({
    router: appRouter,
    path: options.path,
    type: "subscription",
    ctx: options.ctx,
    getRawInput: async () => options.input,
    batchIndex: 0,
    signal: options.signal,
  });
  if (!isAsyncIterable(events)) throw new Error(`${options.path} did not return an async iterable`);
  return events[Symbol.asyncIterator]();
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** The streams a server has open, so that shutting down ends each with a last word. */
export class OpenStreams {
  readonly #open = new Set<AbortController>();

  add(controller: AbortController): void {
    this.#open.add(controller);
  }

  delete(controller: AbortController): void {
    this.#open.delete(controller);
  }

  get size(): number {
    return this.#open.size;
  }

  closeAll(): void {
    for (const controller of this.#open) controller.abort(shuttingDown);
  }
}

export type EventStream = {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The subscription's events, opened with `controller.signal`. */
  events: AsyncIterator<unknown>;
  /** Its first step, when it was awaited before answering (see the route's preflight). */
  first: IteratorResult<unknown> | undefined;
  controller: AbortController;
  open: OpenStreams;
  exposeErrors: boolean;
  pingMs?: number;
};

/**
 * Answers 200 `text/event-stream` and writes one server-sent event per value the subscription
 * yields: `id: <id>` and `data: <JSON>` for a tracked value (`tracked(id, data)`), `data:` alone
 * otherwise. Each write waits for the client to take the previous ones (the socket's `drain`),
 * so a slow reader holds back the procedure, whose feed cuts it off past its buffer. A failure
 * after the headers went out is one `event: error` frame whose data is the REST error body, then
 * the end. The stream ends when the client goes away (the procedure is aborted and returns),
 * and when the server shuts down.
 */
export function serveEventStream(stream: EventStream): FastifyReply {
  const { reply, controller } = stream;
  // Quiet between events but for the pings: not an idle connection (http-timeouts.ts).
  allowStreamIdle(stream.request.raw.socket);
  const body = new PassThrough();
  // fastify destroys the body when the response closes early: the client went away.
  body.on("close", () => controller.abort());
  stream.open.add(controller);
  reply
    .code(200)
    .header("content-type", "text/event-stream; charset=utf-8")
    .header("cache-control", "no-store")
    // nginx would otherwise hold the events back in its buffer.
    .header("x-accel-buffering", "no");
  // Headers go out with the first bytes: this comment tells the client at once that it is following.
  body.write(": following\n\n");
  reply.send(body);
  void pump(stream, body);
  return reply;
}

async function pump(stream: EventStream, body: PassThrough): Promise<void> {
  const { events, controller, request } = stream;
  const { signal } = controller;
  const ping = setInterval(() => {
    // A stream the client is not reading has data waiting already: no need to add to it.
    if (!body.writableNeedDrain && !body.destroyed) body.write(": ping\n\n");
  }, stream.pingMs ?? pingIntervalMs);
  const send = async (frame: string): Promise<boolean> => {
    if (signal.aborted || body.destroyed) return false;
    if (body.write(frame)) return true;
    try {
      await once(body, "drain", { signal });
      return true;
    } catch {
      return false;
    }
  };
  let failure: unknown;
  try {
    let step = stream.first ?? (await events.next());
    while (!step.done) {
      if (!(await send(eventFrame(step.value)))) break;
      step = await events.next();
    }
  } catch (error) {
    failure = error;
  } finally {
    clearInterval(ping);
    stream.open.delete(controller);
  }
  if (failure === undefined && signal.reason === shuttingDown) {
    failure = new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The server is shutting down: resume from the last id you received",
    });
  }
  // Stopped early (the client went away): let the procedure run its `finally`.
  controller.abort();
  await events.return?.().catch(() => undefined);
  if (body.destroyed) return;
  if (failure !== undefined) {
    const { status, body: error } = toRestError(failure, { exposeErrors: stream.exposeErrors });
    if (status >= 500 && status !== 503) request.log.error({ err: failure }, "event stream failed");
    body.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
  }
  // At shutdown, a client that is not reading must not hold the server open.
  if (signal.reason === shuttingDown && body.writableNeedDrain) body.destroy();
  else body.end();
}

/** One server-sent event: JSON never holds a line break, so `data` is one line. */
function eventFrame(value: unknown): string {
  if (isTrackedEnvelope(value)) {
    const [id, data] = value;
    return `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
  }
  return `data: ${JSON.stringify(value)}\n\n`;
}
