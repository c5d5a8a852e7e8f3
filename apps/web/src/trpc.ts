import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";

/**
 * `useTRPC()` gives typed query and mutation options for every procedure of the API;
 * `useTRPCClient()` the client itself, for calls whose answer the app reshapes before caching.
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * The browser's tRPC client. Same origin by default: the server serves the app and `/trpc`
 * together, and Vite's dev server proxies `/trpc` to it. At most 10 calls per batch, the
 * server's limit. No Authorization header, ever: the browser sends the HttpOnly session cookie
 * the server set at sign-in, which no script can read.
 */
export function createBrowserClient(url = "/trpc") {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url, maxItems: 10 })] });
}
