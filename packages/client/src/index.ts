import type { AppRouter } from "@app/api";
import { context, propagation } from "@opentelemetry/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { EventSource } from "eventsource";

export type { AppRouter };
export type Client = TRPCClient<AppRouter>;
/** Every procedure's input type, e.g. `RouterInputs["users"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Every procedure's output type, e.g. `RouterOutputs["users"]["byId"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ClientError = TRPCClientError<AppRouter>;

export type CreateClientOptions = {
  /** The server's base URL (`http://127.0.0.1:8000`) or its tRPC endpoint (`…/trpc`). */
  url: string;
  /** Calls made in the same tick travel in one HTTP request, at most this many (the server's limit is 10). */
  maxBatchSize?: number;
  /**
   * A session or API token (`auth.signIn`, `auth.tokens.create`), sent as `Authorization: Bearer`
   * on every call. Browsers need none: they send the session cookie.
   */
  token?: string | undefined;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** A fetch implementation, for tests or custom agents. */
  fetch?: typeof fetch;
  /**
   * A W3C `traceparent` to send with every request, so that the server's spans join the caller's
   * trace (opt-in): a value (`00-<trace id>-<span id>-01`, such as the `TRACEPARENT` that otel-cli
   * and CI tools export), or a function asked before each request (undefined sends none).
   */
  traceparent?: string | (() => string | undefined) | undefined;
  /**
   * Send the active OpenTelemetry context (`traceparent`, `tracestate`) with each request, through
   * `@opentelemetry/api`'s global propagator: a script that runs its own OpenTelemetry SDK makes
   * its calls children of its own spans. An explicit `traceparent` takes precedence.
   */
  propagateTrace?: boolean;
};

/** Whether `value` is a W3C `traceparent` header value (version 00 as written today). */
export function isTraceparent(value: string): boolean {
  const match = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(value);
  return match !== null && match[1] !== "ff" && !/^0+$/.test(match[2] ?? "") && !/^0+$/.test(match[3] ?? "");
}

/**
 * The typed client every consumer uses: calls made together are batched into one request.
 * @example
 * const client = createClient({ url: "http://127.0.0.1:8000", token: process.env.API_TOKEN });
 * const me = await client.auth.me.query();
 */
export function createClient(options: CreateClientOptions): Client {
  const base = options.url.replace(/\/+$/, "");
  const headers = {
    ...options.headers,
    ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
  };
  const url = base.endsWith("/trpc") ? base : `${base}/trpc`;
  const fetchImpl = options.fetch ?? fetch;
  const trace = traceHeaders(options);
  // Asked before each request when tracing is asked for; otherwise the same object every time.
  const headersFor = trace ? () => ({ ...headers, ...trace() }) : () => headers;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Subscriptions (`client.changes.onChange.subscribe(…)`) over server-sent events, with the
        // same headers: Node has no EventSource of its own, and a browser's cannot send any.
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) =>
              fetchImpl(input, { ...init, headers: { ...init.headers, ...headersFor() } }),
          }),
        }),
        false: httpBatchLink({
          url,
          maxItems: options.maxBatchSize ?? 10,
          headers: trace ? headersFor : headers,
          ...(options.fetch && { fetch: options.fetch }),
        }),
      }),
    ],
  });
}

/** The trace-context headers to send, or undefined when the caller asked for none. */
function traceHeaders(options: CreateClientOptions): (() => Record<string, string>) | undefined {
  const given = options.traceparent;
  if (typeof given === "string" && !isTraceparent(given)) {
    throw new Error(`traceparent "${given}" is not a W3C traceparent: expected 00-<32 hex>-<16 hex>-<2 hex>`);
  }
  if (given === undefined && !options.propagateTrace) return undefined;
  return () => {
    const traceparent = typeof given === "function" ? given() : given;
    if (traceparent !== undefined) return { traceparent };
    const carrier: Record<string, string> = {};
    if (options.propagateTrace) propagation.inject(context.active(), carrier);
    return carrier;
  };
}

/** Narrows an unknown error to the client's typed error, whose `data.code` is the tRPC code. */
export function isClientError(error: unknown): error is ClientError {
  return error instanceof TRPCClientError;
}
