import { onChangeInput } from "@app/api/schemas";
import { changes, type Orm } from "@app/db";

/**
 * Whether `changes.onChange` will refuse this input before its first event: its resume point
 * (`Last-Event-ID`, else `after`) is older than the history kept (CHANGES_RETENTION_DAYS). The
 * stream then awaits the procedure's first step before answering, so that the procedure's own
 * refusal reaches the client as a 412 and not as an error event. The same test as the procedure's
 * (packages/api/src/routers/changes.ts), which still makes the decision: pruning only moves
 * forward, so a point pruned here is pruned there; one pruned in between is an error event.
 */
export async function resumesFromPrunedHistory(orm: Orm, input: unknown): Promise<boolean> {
  const parsed = onChangeInput.safeParse(input);
  if (!parsed.success) return false;
  const { after, lastEventId } = parsed.data;
  const resumeFrom = lastEventId ? Number(lastEventId) : after;
  if (resumeFrom === undefined || resumeFrom === null) return false;
  const head = await changes.changeHead(orm.em.fork());
  return resumeFrom < head.prunedThrough;
}
