import { onChangeInput } from "@app/api/schemas";
import { changes, type Orm } from "@app/db";

/**
 * Whether `changes.onChange` will refuse this input before its first event: its resume point
 * (`Last-Event-ID`, else `after`) is older than the history kept (CHANGES_RETENTION_DAYS), or
 * beyond the last change (an id no client received: a made-up one, or one from before a backup
 * was restored). The stream then awaits the procedure's first step before answering, so that the
 * procedure's own refusal reaches the client as a 412 or a 400 and not as an error event, which
 * an EventSource would take for a dropped stream and reconnect with the same id for ever. The same
 * tests as the procedure's (packages/api/src/routers/changes.ts), which still makes the decision:
 * pruning and the last id only move forward, so what is refused here is refused there; a point
 * pruned in between is an error event.
 */
export async function refusesResumePoint(orm: Orm, input: unknown): Promise<boolean> {
  const parsed = onChangeInput.safeParse(input);
  if (!parsed.success) return false;
  const { after, lastEventId } = parsed.data;
  const resumeFrom = lastEventId ? Number(lastEventId) : after;
  if (resumeFrom === undefined || resumeFrom === null) return false;
  const head = await changes.changeHead(orm.em.fork());
  return resumeFrom < head.prunedThrough || resumeFrom > head.lastId;
}
