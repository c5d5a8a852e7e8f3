import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";

/**
 * `useTRPC()` gives typed query and mutation options for every procedure of the API;
 * `useTRPCClient()` the client itself, for calls whose answer the app reshapes before caching.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type BrowserClient = ReturnType<typeof createBrowserClient>;

/**
 * The browser's tRPC client. Same origin by default: the server serves the app and `/trpc`
 * together, and Vite's dev server proxies `/trpc` to it. Queries and mutations go in batches of
 * at most 10 calls, the server's limit; subscriptions (`changes.onChange`) over server-sent
 * events, through the browser's own `EventSource`. No Authorization header, ever: both send the
 * HttpOnly session cookie the server set at sign-in, which no script can read.
 */
export function createBrowserClient(url = "/trpc") {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url, maxItems: 10 }),
      }),
    ],
  });
}
