import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { Change } from "../live/types.ts";

/** What a fake procedure does: return a result, or throw `apiError(…)` to answer with an error. */
export type FakeProcedure = (input: unknown) => unknown;

const httpStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export class FakeApiError extends Error {
  readonly code: keyof typeof httpStatus;
  readonly fieldErrors: Record<string, string[]>;
  /** Headers the answer carries, e.g. `Retry-After` with a 429. */
  readonly headers: Record<string, string>;

  constructor(
    code: FakeApiError["code"],
    message: string,
    {
      fieldErrors = {},
      headers = {},
    }: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.headers = headers;
  }
}

/** The server's answer to any call made without a session. */
export const signedOut = () => new FakeApiError("UNAUTHORIZED", "Sign in first");

function toWire(error: FakeApiError) {
  const zodError =
    Object.keys(error.fieldErrors).length > 0 ? { formErrors: [], fieldErrors: error.fieldErrors } : null;
  return {
    error: {
      message: error.message,
      code: -32000,
      data: { code: error.code, httpStatus: httpStatus[error.code], zodError },
    },
  };
}

/**
 * One subscription the app opened (`changes.onChange`), as the server sees it: the input it
 * sent (`after`, and `lastEventId` when the link itself reconnected), and what to send it.
 */
export type FakeStream = {
  readonly input: { after?: number | null; lastEventId?: string | null };
  /** False once the app closed it or it ended. */
  readonly open: boolean;
  /** The server has answered it (tRPC's `connected`): it follows the feed. */
  readonly connected: boolean;
  /** Sends a change as the server does: a `tracked` event whose id is the change's. */
  send(change: Change): void;
  /** Ends the stream with an error, as the server does (a `serialized-error` event). */
  fail(code: keyof typeof httpStatus, message: string): void;
  /** The connection is lost for good (the EventSource closes with an error). */
  drop(): void;
  /** The server answers a stream opened while `live.hold()` was on: tRPC's `connected` event. */
  connect(): void;
};

/**
 * The server side of subscriptions: an `EventSource` in place of the browser's that speaks
 * tRPC's server-sent events, so the app's real subscription link runs.
 */
function createFakeLive() {
  const streams: FakeStream[] = [];
  let held = false;

  class FakeEventSource extends EventTarget {
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSED = 2;
    readyState = 0;
    readonly url: string;

    constructor(url: string) {
      super();
      this.url = url;
      const source = this;
      const input: unknown = JSON.parse(new URL(url).searchParams.get("input") ?? "{}");
      const event = (type: string, data: string, lastEventId = "") => {
        if (source.readyState === source.CLOSED) throw new Error(`The app closed this stream (${url})`);
        source.dispatchEvent(new MessageEvent(type, { data, lastEventId }));
      };
      const connect = () => {
        if (source.readyState !== source.CONNECTING) return;
        source.readyState = source.OPEN;
        event("connected", "{}");
      };
      streams.push({
        input: typeof input === "object" && input !== null ? input : {},
        get open() {
          return source.readyState !== source.CLOSED;
        },
        get connected() {
          return source.readyState === source.OPEN;
        },
        send: (change) => event("message", JSON.stringify(change), String(change.id)),
        fail(code, message) {
          event(
            "serialized-error",
            JSON.stringify({ message, code: -32000, data: { code, httpStatus: httpStatus[code] } }),
          );
        },
        drop() {
          source.readyState = source.CLOSED;
          source.dispatchEvent(new Event("error"));
        },
        connect,
      });
      // The server answers at once (it follows the feed from then on), unless held.
      if (!held) setTimeout(connect);
    }

    close() {
      this.readyState = this.CLOSED;
    }
  }

  return {
    EventSource: FakeEventSource,
    /** Every stream the app opened, in order. */
    streams,
    /** Streams opened from now on wait for their `connect()`: the server is slow to answer. */
    hold() {
      held = true;
    },
    /** The one open stream (the app keeps one per session); fails if there is none or several. */
    stream(): FakeStream {
      const open = streams.filter((stream) => stream.open);
      if (open.length !== 1) throw new Error(`${open.length} streams are open, not 1`);
      return open[0] as FakeStream;
    },
  };
}

export type FakeLive = Omit<ReturnType<typeof createFakeLive>, "EventSource">;

/** What the fake server answers unless a test says otherwise: no history yet. */
const defaultProcedures: Record<string, FakeProcedure> = {
  "changes.list": () => ({ items: [], nextCursor: null }),
};

/**
 * A tRPC client whose "server" is a map of procedure names to functions, speaking tRPC's batch
 * wire format, so components run their real query and mutation code. `calls` records each call.
 * Subscriptions go through a fake EventSource that `live` drives.
 */
export function createFakeApi(given: Record<string, FakeProcedure>) {
  const procedures = { ...defaultProcedures, ...given };
  const calls: { path: string; input: unknown }[] = [];
  /** The headers of every request, to check what the app sends (never an Authorization header). */
  const requestHeaders: Headers[] = [];
  /** How long the answer to a request for these procedures takes (0: at once). */
  let answerDelayMs = (_paths: string[]) => 0;
  const fakeFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const parsed = new URL(String(url));
    const paths = decodeURIComponent(parsed.pathname.replace(/^\/trpc\//, "")).split(",");
    const rawInputs: unknown =
      init?.method === "POST"
        ? JSON.parse(String(init.body))
        : JSON.parse(parsed.searchParams.get("input") ?? "{}");
    const inputs =
      typeof rawInputs === "object" && rawInputs !== null ? (rawInputs as Record<string, unknown>) : {};
    requestHeaders.push(new Headers(init?.headers));
    const headers = new Headers({ "content-type": "application/json" });
    const results = paths.map((path, index) => {
      const input = inputs[String(index)];
      calls.push({ path, input });
      const procedure = procedures[path];
      if (!procedure) return toWire(new FakeApiError("NOT_FOUND", `No procedure ${path}`));
      try {
        return { result: { data: procedure(input) } };
      } catch (error) {
        if (!(error instanceof FakeApiError)) throw error;
        for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
        return toWire(error);
      }
    });
    const delay = answerDelayMs(paths);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return new Response(JSON.stringify(results), { status: 207, headers });
  };
  const { EventSource, ...live } = createFakeLive();
  const url = "http://fake.test/trpc";
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, EventSource }),
        false: httpBatchLink({ url, fetch: fakeFetch }),
      }),
    ],
  });
  /** Answers from now on come after `delay(paths)` ms: the server has read, the network is slow. */
  const slowAnswers = (delay: (paths: string[]) => number) => {
    answerDelayMs = delay;
  };
  return { client, calls, requestHeaders, live, slowAnswers };
}
