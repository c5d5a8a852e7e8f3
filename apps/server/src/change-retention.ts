import { changes, type Orm } from "@app/db";
import type { FastifyBaseLogger } from "fastify";

/** Changes pruned per transaction: writers wait on the change head for one batch at most. */
export const pruneBatch = 500;

/**
 * Prunes changes older than `days`, at start-up and every minute, in batches of `pruneBatch`
 * (each its own short transaction, so writes go on between them). Every server does it (worker 1
 * alone among a server's worker processes: cluster/worker.ts); they take turns on the head's row.
 * Returns a function that stops it.
 */
export function startChangeRetention(orm: Orm, days: number, log: FastifyBaseLogger): () => void {
  const prune = async () => {
    const before = new Date(Date.now() - days * 86_400_000);
    let pruned = 0;
    for (;;) {
      const count = await changes.pruneChanges(orm.em.fork(), before, pruneBatch);
      pruned += count;
      if (count < pruneBatch) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (pruned > 0) log.info(`pruned ${pruned} changes older than ${days} days`);
  };
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    prune()
      .catch((error: unknown) =>
        log.warn({ err: error }, "pruning old changes failed; trying again in a minute"),
      )
      .finally(() => {
        busy = false;
      });
  };
  const first = setTimeout(tick, 1_000);
  const timer = setInterval(tick, 60_000);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
