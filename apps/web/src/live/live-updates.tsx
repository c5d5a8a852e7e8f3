import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { endSessionIfUnauthorized, sessionKey } from "../auth/session.ts";
import { useTRPC, useTRPCClient } from "../trpc.ts";
import { applyChanges, concernedQueries } from "./apply-changes.ts";
import { type FollowOptions, followChanges } from "./follow-changes.ts";
import { Rereads } from "./read-again.ts";

type LiveUpdatesProps = {
  /** The signed-in user's role: what the stream shows depends on it, so a new role resubscribes. */
  role: "user" | "admin";
  /** For tests: how long to wait before resubscribing. */
  retryDelayMs?: FollowOptions["retryDelayMs"];
};

/**
 * One subscription to `changes.onChange` for the signed-in session (render it once, keyed by
 * the user): every change made anywhere (another tab, the CLI, another server) updates what the
 * cache holds that it concerns, and nothing else. Renders nothing.
 */
export function LiveUpdates({ role, retryDelayMs }: LiveUpdatesProps) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Where to resume when the subscription is renewed (a new role), rather than from now.
  const lastId = useRef<number>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: not read, but the server scopes a stream by the role it starts with
  useEffect(() => {
    const deps = { client, trpc, queryClient };
    // One batch at a time, in order: a batch may wait for look-ups.
    let applying = Promise.resolve();
    // Reads again what changes concern, and everything once a stream follows from now.
    const rereads = new Rereads(queryClient);
    const follower = followChanges({
      client,
      after: lastId.current,
      ...(retryDelayMs && { retryDelayMs }),
      onChanges(changes) {
        applying = applying
          .then(async () => {
            // A read of what these changes concern, in flight as they arrive, may have read before
            // they committed: its answer would put back what they changed.
            const reading = concernedQueries(deps, changes).flatMap((query) =>
              query.state.fetchStatus === "fetching" ? [{ query, read: query.promise }] : [],
            );
            await applyChanges(deps, changes);
            for (const { query, read } of reading) {
              // Not a read the changes started themselves, nor one that keeps what arrives live.
              if (query.state.fetchStatus !== "fetching" || query.promise !== read) continue;
              if (query.meta?.keepsLiveChanges === true && query.state.data !== undefined) continue;
              rereads.readAgain(query);
            }
          })
          .catch((error: unknown) => console.error("Could not apply live changes", error));
      },
      onUnauthorized: (error) => endSessionIfUnauthorized(queryClient, error),
      onFollowingFromNow() {
        // What is cached was read before the stream followed the feed (loaded with the page as the
        // stream opened, or before its place in the log was pruned): a change may have committed
        // in between. Reloaded, what is on screen in the background, the rest when next shown; a
        // first load still in flight too.
        for (const query of queryClient.getQueryCache().findAll()) {
          if (query.queryKey[0] !== sessionKey[0]) rereads.readAgain(query);
        }
      },
      // No longer an admin: the session learns its new role (what the person may see follows it,
      // and a new role resubscribes from the last id, rendering this anew).
      onDemoted: () => queryClient.refetchQueries({ queryKey: sessionKey, exact: true }),
    });
    return () => {
      lastId.current = follower.lastId();
      follower.stop();
      rereads.dispose();
    };
  }, [client, trpc, queryClient, retryDelayMs, role]);

  return null;
}
