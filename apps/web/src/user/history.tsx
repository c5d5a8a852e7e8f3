import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { type SignedInUser, useMe } from "../auth/session.ts";
import { Empty, LoadError, Loading } from "../components/states.tsx";
import { getErrorCode } from "../lib/api-errors.ts";
import { timeAgo, useNow } from "../lib/time-ago.ts";
import { describeChange, itemTitlesAt } from "../live/describe-change.ts";
import { fetchHistory, type HistoryEntry, historyKey, mergeChanges } from "../live/history-cache.ts";
import { useTRPC, useTRPCClient } from "../trpc.ts";
import type { UserWithItems } from "./types.ts";

const shownAtFirst = 10;

/**
 * The history of a user and its items, newest first: "Title changed from “A” to “B” by Ann,
 * 2 minutes ago". Loaded once from `changes.list`; the live updates add what happens next.
 */
export function History({ user }: { user: UserWithItems }) {
  const me = useMe();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const now = useNow();
  const [shown, setShown] = useState(shownAtFirst);
  const key = historyKey(user.id);
  const query = useQuery({
    queryKey: key,
    queryFn: async (): Promise<HistoryEntry[]> => {
      const fetched = await fetchHistory(client, user.id);
      // What arrived live while this loaded (or was remembered before) stays.
      return mergeChanges(fetched, queryClient.getQueryData<HistoryEntry[]>(key) ?? []);
    },
    enabled: me !== undefined,
    // Its answer merges what arrived live (above): a change that arrives while it is read again
    // is not undone, and needs no reading again (live/live-updates.tsx).
    meta: { keepsLiveChanges: true },
  });
  const actorNames = useActorNames(me, user, query.data ?? []);

  let body: ReactNode;
  if (query.isPending) body = <Loading>Loading history…</Loading>;
  else if (query.isError) body = <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  else if (query.data.length === 0) body = <Empty>No changes yet.</Empty>;
  else {
    const titles = itemTitlesAt(query.data, new Map((user.items ?? []).map((item) => [item.id, item.title])));
    const newestFirst = [...query.data].reverse();
    body = (
      <>
        <ol className="history" aria-label="History">
          {newestFirst.slice(0, shown).map((change) => {
            const by = actorPhrase(change.actorId, me, actorNames);
            return (
              <li key={change.id}>
                {describeChange(change, titles.get(change.id))}
                {by && ` by ${by}`},{" "}
                <time dateTime={change.at} title={new Date(change.at).toLocaleString()}>
                  {timeAgo(change.at, now)}
                </time>
              </li>
            );
          })}
        </ol>
        {newestFirst.length > shown && (
          <button type="button" className="secondary load-more" onClick={() => setShown(shown + 20)}>
            Show older changes
          </button>
        )}
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {body}
    </section>
  );
}

/**
 * Who made a change, as the line says it: "you", a name an admin can look up, "an admin" (who
 * else may change someone's records), or nothing when no one signed in did (a sign-up).
 */
function actorPhrase(
  actorId: number | null,
  me: SignedInUser | undefined,
  names: ReadonlyMap<number, string | null>,
): string | undefined {
  if (actorId === null) return undefined;
  if (actorId === me?.id) return "you";
  if (me?.role !== "admin") return "an admin";
  const name = names.get(actorId);
  if (name === null) return "a deleted account";
  return name ?? `user ${actorId}`;
}

/** For an admin, the names of the people in the history (`users.byId`); null for one who is gone. */
function useActorNames(
  me: SignedInUser | undefined,
  user: UserWithItems,
  history: readonly HistoryEntry[],
): Map<number, string | null> {
  const trpc = useTRPC();
  const others = [
    ...new Set(history.flatMap((change) => (change.actorId === null ? [] : [change.actorId]))),
  ].filter((id) => id !== me?.id && id !== user.id);
  const lookups = useQueries({
    queries: (me?.role === "admin" ? others : []).map((id) => trpc.users.byId.queryOptions({ id })),
  });
  const names = new Map<number, string | null>([[user.id, user.name]]);
  others.forEach((id, index) => {
    const lookup = lookups[index];
    if (lookup?.data) names.set(id, lookup.data.name);
    else if (getErrorCode(lookup?.error) === "NOT_FOUND") names.set(id, null);
  });
  return names;
}
