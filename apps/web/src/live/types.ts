import type { AppRouter, RouterOutputs } from "@app/client";
import type { QueryClient } from "@tanstack/react-query";
import type { TRPCClient } from "@trpc/client";
import type { TRPCOptionsProxy } from "@trpc/tanstack-react-query";

/** One committed change to a user or an item, as `changes.list` and `changes.onChange` give it. */
export type Change = RouterOutputs["changes"]["list"]["items"][number];

/** What the live updates work with: the cache, the typed query keys, and the client for look-ups. */
export type LiveDeps = {
  queryClient: QueryClient;
  trpc: TRPCOptionsProxy<AppRouter>;
  client: TRPCClient<AppRouter>;
};
