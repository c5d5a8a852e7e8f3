import type { AppRouter } from "@app/client";
import type { QueryClient } from "@tanstack/react-query";
import type { TRPCClient } from "@trpc/client";
import type { Change } from "./types.ts";

/**
 * A user's history in the query cache: the changes to the user and its items, in id order. The
 * live updates add to it as changes arrive; the page shows it newest first.
 */
export function historyKey(userId: number) {
  return ["history", userId] as const;
}

/**
 * A change in a history. A change does not say what the item it touched was called; `itemTitle` is
 * its title when the change arrived live and the page knew it (a deleted item's, which no query
 * finds again).
 */
export type HistoryEntry = Change & { itemTitle?: string };

/** `changes.list` allows at most 100 a page. */
const pageSize = 100;

async function allPages(
  fetchPage: (after: number | null) => Promise<{ items: Change[]; nextCursor: number | null }>,
): Promise<Change[]> {
  const changes: Change[] = [];
  let after: number | null = null;
  for (;;) {
    const page = await fetchPage(after);
    changes.push(...page.items);
    if (page.nextCursor === null) return changes;
    after = page.nextCursor;
  }
}

/**
 * Reads the history of `userId`: the changes to that account and its items (deleted ones
 * included), by the changes' owner. `changes.list` is in id order with no "newest first", so
 * every page is read (the log keeps CHANGES_RETENTION_DAYS of it). A user may name only
 * themselves, which is the only page they see; an admin may name anyone.
 */
export async function fetchHistory(client: TRPCClient<AppRouter>, userId: number): Promise<Change[]> {
  return allPages((after) => client.changes.list.query({ after, ownerId: userId, limit: pageSize }));
}

/** `changes` with `more` added, in id order, each once. */
export function mergeChanges(
  changes: readonly HistoryEntry[],
  more: readonly HistoryEntry[],
): HistoryEntry[] {
  const byId = new Map<number, HistoryEntry>();
  for (const change of changes) byId.set(change.id, change);
  for (const change of more) byId.set(change.id, change);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Adds a change that arrived live to the cached history of `userId`, if that is cached. */
export function addToHistory(queryClient: QueryClient, userId: number, change: Change, itemTitle?: string) {
  const entry: HistoryEntry = itemTitle === undefined ? change : { ...change, itemTitle };
  queryClient.setQueryData<HistoryEntry[]>(historyKey(userId), (old) =>
    old && !old.some((known) => known.id === change.id) ? mergeChanges(old, [entry]) : old,
  );
}
