import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, loggerLink, splitLink } from "@trpc/client";
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
 * HttpOnly session cookie the server set at sign-in, which no script can read. In development
 * (`npm run dev`) each call and its answer, and each live change, are logged to the console too.
 */
export function createBrowserClient(url = "/trpc") {
  return createTRPCClient<AppRouter>({
    links: [
      // Vite replaces MODE with "production" in a build, and the minifier drops the logger with
      // the dead branch: nothing of it reaches the production bundle (docs/web.md). Not DEV, which
      // the component tests set too: their output stays quiet.
      ...(import.meta.env.MODE === "development" ? [loggerLink<AppRouter>()] : []),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: httpBatchLink({ url, maxItems: 10 }),
      }),
    ],
  });
}
