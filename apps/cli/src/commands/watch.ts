import type { ClientError } from "@app/client";
import { expectNoMore } from "../args.ts";
import { type Change, findNewestChangeId, formatChange } from "../changes.ts";
import { defineCommand } from "../command.ts";
import type { Context } from "../context.ts";
import { describeFailure, exitCodes } from "../errors.ts";
import { parseAfter } from "./history.ts";

/** How one connection ended: lost (try again), refused for good, or stopped with Ctrl-C. */
type Outcome =
  | { kind: "lost"; reason: string; code?: string }
  | { kind: "refused"; error: ClientError }
  | { kind: "interrupted" };

/** Codes a stream ends with that a new connection, resuming from the last id, gets past. */
const passingCodes = new Set([
  "SERVICE_UNAVAILABLE", // the server is shutting down
  "TOO_MANY_REQUESTS", // this client fell too far behind and was cut off
  "INTERNAL_SERVER_ERROR",
  "BAD_GATEWAY",
  "GATEWAY_TIMEOUT",
]);

/** Waits between attempts: doubling from half a second, at most ten, back to the start once connected. */
const firstDelayMs = 500;
const longestDelayMs = 10_000;

export const watchCommand = defineCommand({
  words: "watch",
  usage: "watch [--after ID]",
  summary: "Print changes as they commit, until Ctrl-C (--after ID: replay those after it first)",
  options: { after: { type: "string" } },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 1);
    const given = parseAfter(values.after);
    const interrupt = new AbortController();
    const stopListening = context.io.onInterrupt?.(() => interrupt.abort());
    try {
      return await watch(context, given, interrupt.signal);
    } catch (error) {
      return fail(context, error);
    } finally {
      stopListening?.();
    }
  },
});

async function watch(context: Context, given: number | undefined, interrupt: AbortSignal): Promise<number> {
  const { io, url } = context;
  // Without --after: from the newest change now, so that a connection lost before the first
  // change arrives resumes from a known id too (0: the caller sees none, and follows from now).
  // With it, one history call. Either way a first plain call says at once what is wrong with the
  // URL or the token: the server opens a stream before it checks the token.
  const start = given ?? (await findNewestChangeId(context.client));
  if (given !== undefined) await context.client.changes.list.query({ after: given, limit: 1 });
  let lastId: number | undefined = given !== undefined || start > 0 ? start : undefined;
  let delayMs = firstDelayMs;
  let lost = false;
  let connected = false;
  const print = (change: Change) => {
    // Each change once: a reconnection resumes after the last one printed, and this holds even if
    // a server were ever to send one again.
    if (lastId !== undefined && change.id <= lastId) return;
    lastId = change.id;
    io.stdout.write(context.json ? `${JSON.stringify(change)}\n` : `${formatChange(change)}\n`);
  };
  const onStarted = () => {
    delayMs = firstDelayMs;
    if (!connected) {
      connected = true;
      const from = lastId === undefined ? "from now" : `after #${lastId}`;
      io.stderr.write(`Following changes on ${url} ${from}; Ctrl-C to stop.\n`);
    }
    if (!lost) return;
    lost = false;
    io.stderr.write(
      lastId === undefined
        ? `Reconnected to ${url}: following from now (no change had arrived to resume after).\n`
        : `Reconnected to ${url}: resuming after #${lastId}.\n`,
    );
  };
  for (;;) {
    const outcome = await connectOnce(context, lastId, { print, onStarted }, interrupt);
    if (outcome.kind === "interrupted") return exitCodes.ok;
    if (outcome.kind === "refused") return refuse(context, outcome.error, lastId);
    if (!connected) {
      // Never connected at all: a wrong --url or a server not started is said at once.
      const error = outcome.code
        ? Object.assign(new Error(outcome.reason), { code: outcome.code })
        : new Error(`Cannot reach the server at ${url} (${outcome.reason}).`);
      return fail(context, error);
    }
    const seconds = `${delayMs / 1000}s`;
    io.stderr.write(
      lost
        ? `Still cannot reach ${url} (${outcome.reason}); retrying in ${seconds}…\n`
        : `Lost the connection to ${url} (${outcome.reason}); reconnecting in ${seconds}…\n`,
    );
    lost = true;
    if (!(await sleep(delayMs, interrupt))) return exitCodes.ok;
    delayMs = Math.min(delayMs * 2, longestDelayMs);
  }
}

/** Follows `changes.onChange` after `after` until the connection ends one way or another. */
function connectOnce(
  context: Context,
  after: number | undefined,
  handlers: { print: (change: Change) => void; onStarted: () => void },
  interrupt: AbortSignal,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let subscription: { unsubscribe(): void } | undefined;
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      interrupt.removeEventListener("abort", onInterrupt);
      subscription?.unsubscribe();
      resolve(outcome);
    };
    const onInterrupt = () => finish({ kind: "interrupted" });
    if (interrupt.aborted) return resolve({ kind: "interrupted" });
    interrupt.addEventListener("abort", onInterrupt);
    // The link would reconnect by itself, every 3 s for ever and silently: this command ends each
    // lost connection instead, says so, and opens the next one after a growing wait.
    subscription = context.client.changes.onChange.subscribe(after === undefined ? {} : { after }, {
      onStarted: handlers.onStarted,
      onData: ({ data }) => {
        if (!done) handlers.print(data);
      },
      onConnectionStateChange: (state) => {
        if (state.state === "connecting" && state.error) finish(lostBecause(state.error));
      },
      onError: (error) => {
        const code = error.data?.code;
        finish(
          code === undefined || passingCodes.has(code) ? lostBecause(error) : { kind: "refused", error },
        );
      },
      onComplete: () => finish({ kind: "lost", reason: "the server ended the stream" }),
    });
    if (done) subscription.unsubscribe();
  });
}

/** A lost connection, in a few words: the server's message, or the network's error code. */
function lostBecause(error: ClientError): Outcome {
  if (error.data?.code) return { kind: "lost", reason: error.message };
  // The EventSource reports a network failure as text: "TypeError: fetch failed: connect ECONNREFUSED …".
  const code = /\b(E[A-Z]{3,})\b/.exec(error.message)?.[1];
  const reason = code ?? (error.message.replace(/^TypeError: /, "") || "connection closed");
  return { kind: "lost", reason, code };
}

/** The server refused the stream for good: history pruned (412), signed out (401), or other. */
function refuse(context: Context, error: ClientError, lastId: number | undefined): number {
  if (error.data?.code === "PRECONDITION_FAILED") {
    const message =
      `The server no longer keeps the changes after #${lastId ?? 0} (older ones are pruned after CHANGES_RETENTION_DAYS), ` +
      "so watching from there would skip some: run `watch` without --after to follow from now, or `history` for what is kept.";
    return report(context, message, exitCodes.rejected);
  }
  return fail(context, error);
}

function fail(context: Context, error: unknown): number {
  const { message, exitCode } = describeFailure(error, {
    url: context.url,
    command: "watch",
    credential: context.credentials.source,
  });
  return report(context, message, exitCode);
}

/** The last word of a watch: a line on stderr, and with --json one more JSON line on stdout. */
function report(context: Context, message: string, exitCode: number): number {
  context.io.stderr.write(`${message}\n`);
  if (context.json) {
    context.io.stdout.write(`${JSON.stringify({ error: { message: message.split("\n")[0], exitCode } })}\n`);
  }
  return exitCode;
}

/** Waits `ms`, or less if interrupted: resolves false when interrupted. */
function sleep(ms: number, interrupt: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (interrupt.aborted) return resolve(false);
    const timer = setTimeout(() => {
      interrupt.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    interrupt.addEventListener("abort", onAbort, { once: true });
  });
}
