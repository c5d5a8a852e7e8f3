import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Empty, LoadError, Loading } from "../components/states.tsx";
import { Link } from "../router.tsx";
import { useTRPC } from "../trpc.ts";

const pageSize = 20;

type UserListProps = {
  search: string;
  /** How many pages to show: the address's, so a reload or a shared link shows as many again. */
  pages: number;
  /** "Load more": the list now shows `pages` pages. */
  onShowPages: (pages: number) => void;
};

/** Users by id, a page at a time (keyset: each page starts after the last id seen). */
export function UserList({ search, pages, onShowPages }: UserListProps) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.users.list.infiniteQueryOptions(
      { limit: pageSize, ...(search ? { search } : {}) },
      // Keeps the previous results on screen while a new search loads, instead of a spinner per key.
      { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData },
    ),
  );

  // Loads the pages the address asks for that are not loaded yet, one after the other (each
  // starts after the last id of the one before); never for the previous search's placeholder.
  const loaded = query.isPlaceholderData ? pages : (query.data?.pages.length ?? pages);
  const { hasNextPage, isFetching, isError, fetchNextPage } = query;
  useEffect(() => {
    if (loaded < pages && hasNextPage && !isFetching && !isError) void fetchNextPage();
  }, [loaded, pages, hasNextPage, isFetching, isError, fetchNextPage]);

  if (query.isPending) return <Loading>Loading users…</Loading>;
  if (query.isError && !query.isFetchNextPageError) {
    return <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  }
  const users = query.data.pages.flatMap((page) => page.items);
  if (users.length === 0) {
    return (
      <Empty>{search ? `No users match “${search}”.` : "No users yet. Create the first one above."}</Empty>
    );
  }
  return (
    <>
      <ul className="user-list" aria-label="Users" aria-busy={query.isFetching}>
        {users.map((user) => (
          <li key={user.id}>
            <Link href={`/users/${user.id}`}>
              <span className="name">{user.name}</span>
              <span className="email">{user.email}</span>
            </Link>
          </li>
        ))}
      </ul>
      {query.isFetchNextPageError && <LoadError error={query.error} />}
      {query.hasNextPage && (
        <button
          type="button"
          className="secondary load-more"
          disabled={query.isFetchingNextPage}
          onClick={() => {
            onShowPages(query.data.pages.length + 1);
            void query.fetchNextPage();
          }}
        >
          {query.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}
