import type { AppRouter } from "@app/api";
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
};

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
            fetch: (input, init) => fetchImpl(input, { ...init, headers: { ...init.headers, ...headers } }),
          }),
        }),
        false: httpBatchLink({
          url,
          maxItems: options.maxBatchSize ?? 10,
          headers,
          ...(options.fetch && { fetch: options.fetch }),
        }),
      }),
    ],
  });
}

/** Narrows an unknown error to the client's typed error, whose `data.code` is the tRPC code. */
export function isClientError(error: unknown): error is ClientError {
  return error instanceof TRPCClientError;
}
