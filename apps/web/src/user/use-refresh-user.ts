import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";

/** Refetches a user's page data (the user and its items) after a change. */
export function useRefreshUser(id: number) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.users.byId.queryFilter({ id }));
}
