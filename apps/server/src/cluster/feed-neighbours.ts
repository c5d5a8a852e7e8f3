// A worker's change feed linked to the other workers' through the primary (primary.ts relays).
import type { ChangeFeed, FeedNeighbours } from "@app/api";
import { isPrimaryMessage, sendToPrimary } from "./messages.ts";

/**
 * A commit in one worker wakes the feeds of the others at once, where they would otherwise find
 * it at their next poll (CHANGES_POLL_MS, 250 ms by default; SQLite and MariaDB have no NOTIFY):
 * with subscribers spread over two workers, half of them heard of each change that much later.
 * A worker says when its feed starts or stops having subscribers; the primary tells each worker
 * whether any other one has them, and only then does a commit cost a message, one per turn of
 * the event loop however many commits it saw. Each feed still reads the log itself, so a word
 * lost (a worker restarting) delays a change by one poll at most.
 */
export function linkFeedToNeighbours(feed: ChangeFeed): void {
  let othersFollowing = false;
  let wordPending = false;
  const neighbours: FeedNeighbours = {
    following: (active) => void sendToPrimary({ kind: "following", active }),
    committed: () => {
      if (!othersFollowing || wordPending) return;
      wordPending = true;
      setImmediate(() => {
        wordPending = false;
        void sendToPrimary({ kind: "committed" });
      });
    },
  };
  process.on("message", (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.kind === "others-following") othersFollowing = message.active;
    else if (message.kind === "committed") feed.poke();
  });
  feed.linkNeighbours(neighbours);
}
