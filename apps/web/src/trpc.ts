import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";

/** `useTRPC()` gives typed query and mutation options for every procedure of the API. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/**
 * The browser's tRPC client. Same origin by default: the server serves the app and `/trpc`
 * together, and Vite's dev server proxies `/trpc` to it. At most 10 calls per batch, the
 * server's limit.
 */
export function createBrowserClient(url = "/trpc") {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url, maxItems: 10 })] });
}
