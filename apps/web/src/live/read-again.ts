import type { Query, QueryClient } from "@tanstack/react-query";

/**
 * Reads these queries again, from now: a read of theirs in flight is dropped first, then each is
 * marked stale and, if on screen, read. Dropped first because invalidating alone lets a first load
 * (a query with no data yet) finish and keep its answer: TanStack Query cancels only a refetch.
 */
export async function readAgain(queryClient: QueryClient, queries: readonly Query[]): Promise<void> {
  await Promise.all(
    queries.map((query) =>
      query.state.fetchStatus === "fetching" ? query.cancel({ revert: true }) : undefined,
    ),
  );
  await Promise.all(
    queries.map((query) => queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true })),
  );
}
