import { Readable } from "node:stream";
import type { Context } from "@app/api";
import { getTRPCErrorFromUnknown, TRPCError } from "@trpc/server";
import { isObservable, observableToAsyncIterable } from "@trpc/server/observable";
import type { FastifyReply } from "fastify";
import type { TrpcRequest } from "./direct-calls.ts";
import { callProcedure, errorShape, procedures } from "./procedures.ts";
import { connectedFrame, EventFrames, errorFrame, pingFrame, returnFrame } from "./sse-frames.ts";
import { rootConfig } from "./trpc-internals.ts";

/**
 * The fast path of subscriptions over server-sent events (`GET /trpc/changes.onChange`): the
 * procedure is called as tRPC's handler calls it (the same middleware: observed, authorized, its
 * input validated) and its events are written as tRPC writes them (sse-frames.ts), each as one
 * chunk into the response, without tRPC's chain of async generators, web streams and a
 * `TextEncoderStream` per subscriber, which cost about 0.1 ms of CPU per event delivered
 * (docs/performance.md). Anything unusual (another method, a body type, `batch`,
 * `connectionParams`, malformed input) goes to tRPC's own handler, as for direct-calls.ts.
 * `sse-calls.test.ts` holds the two to the same bytes.
 */
export type SseCall = {
  path: string;
  /** As the procedure gets it: the query's input with the client's `Last-Event-ID` merged in. */
  input: unknown;
  /** The query's input as sent (what error shapes are given, as tRPC gives them). */
  sentInput: unknown;
  lastEventId: string | undefined;
};

const sse = rootConfig().sse;

/** Settings this path does not implement (a maximum duration, one event only): tRPC's handler then answers. */
const supported = sse?.enabled !== false && sse?.maxDurationMs === undefined && !sse?.emitAndEndImmediately;

/** How long a stream may be quiet before a ping (tRPC's defaults: off, and 1 s once on). */
const pingMs = ((): number | undefined => {
  if (!sse?.ping?.enabled) return undefined;
  const ms = sse.ping.intervalMs ?? 1_000;
  return ms > 0 && ms !== Number.POSITIVE_INFINITY ? ms : undefined;
})();

/** What a slow reader's stream holds beyond its socket's buffers before its subscription waits. */
const bufferedBytes = 16 * 1024;

/** The subscription a request opens, or undefined for tRPC's handler. */
export function sseCall(request: TrpcRequest): SseCall | undefined {
  if (!supported || request.method !== "GET") return undefined;
  const path = request.params.path;
  if (procedures.get(path)?.kind !== "subscription") return undefined;
  const { headers } = request;
  // tRPC refuses some body types on a GET, and a streamed-batch request; it answers those itself.
  if (headers["content-type"] !== undefined || headers["trpc-accept"] !== undefined) return undefined;
  if (headers.accept?.split(",").some((type) => type.trim() === "application/jsonl")) return undefined;
  const lastEventId = headers["last-event-id"];
  if (typeof lastEventId === "object") return undefined;
  let text: string | undefined;
  for (const name in request.query) {
    const value = request.query[name];
    if (name !== "input" || typeof value !== "string") return undefined;
    text = value;
  }
  let sentInput: unknown;
  try {
    sentInput = text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
  // An EventSource that reconnects by itself names its last id in a header; tRPC merges it into the input.
  const input = lastEventId ? withLastEventId(sentInput, lastEventId) : sentInput;
  return { path, input, sentInput, lastEventId: lastEventId || undefined };
}

function withLastEventId(input: unknown, lastEventId: string): unknown {
  if (typeof input === "object" && input !== null && !Array.isArray(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}

export type SseAnswer = {
  call: SseCall;
  ctx: Context;
  reply: FastifyReply;
  /** Told of each failure, as tRPC's handler tells its `onError`. */
  onError: (error: TRPCError) => void;
};

/**
 * Calls the subscription and answers 200 with its events: `connected`, then one event per value,
 * then `return` when they end, or `serialized-error` when the call or its events fail. A client
 * that stops reading holds the subscription back (its feed cuts it off once it falls too far
 * behind); one that goes away aborts it.
 */
export async function answerSseCall({ call, ctx, reply, onError }: SseAnswer): Promise<FastifyReply> {
  const response = reply.raw;
  const controller = new AbortController();
  // The response closed before it ended: the client went away, and the subscription stops waiting.
  response.once("close", () => {
    if (!response.writableEnded) controller.abort();
  });
  const failure = (thrown: unknown): Buffer => {
    const error = getTRPCErrorFromUnknown(thrown);
    onError(error);
    const shape = errorShape({ error, path: call.path, type: "subscription", input: call.sentInput, ctx });
    return errorFrame(shape);
  };
  // Called before anything is sent, as tRPC does: headers its middleware sets go out with the answer.
  let events: AsyncIterator<unknown> | Buffer;
  try {
    const data = await callProcedure({
      path: call.path,
      type: "subscription",
      input: call.input,
      ctx,
      batchIndex: 0,
      signal: controller.signal,
    });
    events = eventsOf(data, call.path, controller.signal);
  } catch (thrown) {
    events = failure(thrown);
  }
  const body = new EventBody();
  body.push(connectedFrame);
  if (Buffer.isBuffer(events)) {
    body.push(events);
    body.push(null);
  } else {
    void pump(events, new EventFrames(call.lastEventId), body, failure);
  }
  // tRPC's headers for an event stream (sseHeaders), and the `vary` of every answer of its handler.
  return reply
    .code(200)
    .header("vary", "trpc-accept, accept")
    .header("content-type", "text/event-stream")
    .header("cache-control", "no-cache, no-transform")
    .header("x-accel-buffering", "no")
    .header("connection", "keep-alive")
    .send(body);
}

function eventsOf(data: unknown, path: string, signal: AbortSignal): AsyncIterator<unknown> {
  if (isObservable(data)) return observableToAsyncIterable(data, signal)[Symbol.asyncIterator]();
  if (isAsyncIterable(data)) return data[Symbol.asyncIterator]();
  throw new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
  });
}

/**
 * Writes each event as the subscription yields it, taking the next only once the body has room;
 * a ping when it has been quiet for `pingMs` while waiting for one, as tRPC's `withPing` does.
 */
async function pump(
  events: AsyncIterator<unknown>,
  frames: EventFrames,
  body: EventBody,
  failure: (thrown: unknown) => Buffer,
): Promise<void> {
  let waiting = false;
  const ping =
    pingMs === undefined
      ? undefined
      : setTimeout(() => {
          if (!waiting || body.destroyed) return;
          body.push(pingFrame);
          ping?.refresh();
        }, pingMs).unref();
  let last: Buffer | undefined;
  let ended = false;
  try {
    while (!body.destroyed) {
      waiting = true;
      ping?.refresh();
      const step = await events.next();
      waiting = false;
      if (step.done) {
        ended = true;
        last = returnFrame;
        break;
      }
      if (!body.destroyed && !body.push(frames.of(step.value))) await body.wanted();
    }
  } catch (thrown) {
    ended = true;
    if (!body.destroyed && !isAbortError(thrown)) last = failure(thrown);
  } finally {
    waiting = false;
    clearTimeout(ping);
  }
  // The client went away while the subscription was paused at an event: let it run its `finally`.
  if (!ended) await events.return?.().catch(() => undefined);
  if (body.destroyed) return;
  if (last) body.push(last);
  body.push(null);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** What tRPC takes for an aborted stream, which ends without an error event. */
function isAbortError(thrown: unknown): boolean {
  return typeof thrown === "object" && thrown !== null && Reflect.get(thrown, "name") === "AbortError";
}

/**
 * The response body fastify pipes to the socket (its `onSend` hooks and headers apply as to any
 * answer). `push` returns false once it holds `bufferedBytes` the socket has not taken;
 * `wanted()` then resolves when it has room again, or when it is destroyed (the client left).
 */
class EventBody extends Readable {
  #wake: (() => void) | undefined;

  constructor() {
    super({ highWaterMark: bufferedBytes });
  }

  wanted(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  override _read(): void {
    this.#wakeUp();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#wakeUp();
    callback(error);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
