import type { Query, QueryClient } from "@tanstack/react-query";

/**
 * Reads queries again from now, so that what they show is read after the changes that arrived,
 * without keeping any of them from ending however often changes come:
 * - a query not being read is read at once (if on screen; else when next shown);
 * - a refetch in flight (the query shows its data meanwhile) is dropped and started again, once;
 * - a first load in flight, another page of a list, or a read started here, is read again once
 *   it has ended. Dropping those at every change would keep a page "Loading…" (or a list at the
 *   pages it has) for as long as changes come faster than it loads; and invalidating alone would
 *   let a first load finish and keep its older answer (TanStack Query cancels only a refetch).
 * Dispose of it with its subscription.
 */
export class Rereads {
  readonly #queryClient: QueryClient;
  /** The reads started here. */
  readonly #ours = new WeakSet<Promise<unknown>>();
  /** Queries to read again once their read in flight has ended. */
  readonly #pending = new Set<Query>();
  readonly #unsubscribe: () => void;

  constructor(queryClient: QueryClient) {
    this.#queryClient = queryClient;
    this.#unsubscribe = queryClient.getQueryCache().subscribe((event) => {
      const { query } = event;
      if (!this.#pending.has(query)) return;
      if (event.type === "removed") this.#pending.delete(query);
      else if (query.state.fetchStatus !== "fetching") {
        this.#pending.delete(query);
        this.#readNow(query);
      }
    });
  }

  readAgain(query: Query): void {
    const read = query.state.fetchStatus === "fetching" ? query.promise : undefined;
    // Loading another page of a list is like a first load: dropped at every change, the list
    // would never get past the pages it has.
    const loadingMore = query.state.fetchMeta?.fetchMore !== undefined;
    const refetch =
      read !== undefined && query.state.data !== undefined && !loadingMore && !this.#ours.has(read);
    if (read === undefined || refetch) this.#readNow(query);
    else this.#pending.add(query);
  }

  dispose(): void {
    this.#unsubscribe();
    this.#pending.clear();
  }

  #readNow(query: Query): void {
    void this.#queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
    const read = query.promise;
    if (read !== undefined && query.state.fetchStatus === "fetching") this.#ours.add(read);
  }
}
