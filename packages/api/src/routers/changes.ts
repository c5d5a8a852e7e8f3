import { type ChangeView, changes, type EntityManager } from "@app/db";
import { TRPCError, type TRPCRouterRecord, tracked } from "@trpc/server";
import { callerOf } from "../access.ts";
import { toTRPCError } from "../errors.ts";
import { type CutOff, changeFeedOf, type Subscriber } from "../live/change-feed.ts";
import { type ChangeOutput, changePage, listChangesInput, onChangeInput } from "../schemas/index.ts";
import { toChangeOutput } from "../serializers.ts";
import { procedure } from "../trpc.ts";

const catchUpPage = 500;

export const changesRouter = {
  /** The history, in id order; a user's holds the changes to their own account and items. */
  list: procedure
    .input(listChangesInput)
    .output(changePage)
    .query(async ({ ctx, input }) => {
      // A user's scope is their own account (access.ts refuses anyone else's); an admin may name one.
      const page = await changes.listChanges(ctx.em(), {
        ...input,
        ownerId: ctx.ownerScope ?? input.ownerId,
      });
      return { items: page.items.map(toChangeOutput), nextCursor: page.nextCursor };
    }),

  /**
   * Every change after `after` (or the `lastEventId` a reconnecting client sends), then each new
   * one as it commits, on any server that shares the database: in id order, each once, as a
   * `tracked` event whose id is the change's.
   *
   * It follows the feed before it answers: tRPC sends its `connected` event once this resolves,
   * so a client that has it (`onStarted`) receives every change committed after, even without
   * `after`.
   */
  onChange: procedure.input(onChangeInput).subscription(async ({ ctx, input, signal }) => {
    const caller = callerOf(ctx);
    const ownerId = ctx.ownerScope;
    // Registered before the catch-up read: what commits meanwhile reaches it, so nothing falls
    // between. A failure here (the database away) is mapped by the unit of work, like every call's.
    const { subscriber, readThrough } = await changeFeedOf(ctx.orm).subscribe({
      ownerId,
      credential: caller.credential,
    });
    // A client gone before the events are read never starts them, nor so their `finally`.
    if (signal?.aborted) subscriber.close();
    else signal?.addEventListener("abort", () => subscriber.close(), { once: true });
    const resumeFrom = input.lastEventId ? Number(input.lastEventId) : input.after;
    return changesFor(() => ctx.em(), { subscriber, readThrough, resumeFrom, ownerId, signal });
  }),
} satisfies TRPCRouterRecord;

type Following = {
  subscriber: Subscriber;
  readThrough: number;
  resumeFrom: number | null | undefined;
  ownerId: number | undefined;
  signal: AbortSignal | undefined;
};

/** The catch-up from `resumeFrom` (if any), then the feed's changes after it, each once, in order. */
async function* changesFor(
  em: () => EntityManager,
  { subscriber, readThrough, resumeFrom, ownerId, signal }: Following,
) {
  try {
    let cursor = resumeFrom ?? readThrough;
    if (resumeFrom !== undefined && resumeFrom !== null) {
      for (let first = true; ; first = false) {
        const page = await changes.listChanges(em(), { after: cursor, limit: catchUpPage, ownerId });
        // Checked after the first read: a prune that ran before it shows here, one after it took nothing we needed.
        if (first) await refuseUnknownResumePoint(em(), resumeFrom);
        for (const change of page.items) {
          // Cut off meanwhile (signed out, demoted, the server closing): not the rest of the
          // history. The error below says where to resume.
          if (subscriber.cutOffReason) break;
          cursor = change.id;
          yield tracked(String(change.id), toChangeOutput(change));
        }
        if (page.nextCursor === null || subscriber.cutOffReason) break;
      }
    }
    for (;;) {
      const batch = await subscriber.next(signal);
      if (batch.length === 0) break;
      for (const change of batch) {
        if (change.id <= cursor) continue;
        cursor = change.id;
        yield tracked(String(change.id), sharedOutput(change));
      }
    }
    const reason = subscriber.cutOffReason;
    if (reason && !signal?.aborted) throw cutOffError(reason, cursor);
  } catch (error) {
    // Inside a stream the unit of work maps nothing: a database that is away is a 503 here too.
    throw toTRPCError(error);
  } finally {
    subscriber.close();
  }
}

/**
 * A live change's output, made once for all its subscribers: the feed hands each of them the same
 * change, and the server writes one output's event once for every stream (its sse-frames.ts).
 */
const outputs = new WeakMap<ChangeView, ChangeOutput>();

function sharedOutput(change: ChangeView): ChangeOutput {
  let output = outputs.get(change);
  if (!output) {
    output = toChangeOutput(change);
    outputs.set(change, output);
  }
  return output;
}

/** A resume point the history cannot serve: pruned (412, reload), or not reached yet (400). */
async function refuseUnknownResumePoint(em: EntityManager, resumeFrom: number): Promise<void> {
  const head = await changes.changeHead(em);
  if (resumeFrom < head.prunedThrough) {
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `Changes up to ${head.prunedThrough} were pruned (history is kept CHANGES_RETENTION_DAYS): reload, then subscribe without "after"`,
    });
  }
  if (resumeFrom > head.lastId) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `There is no change ${resumeFrom} yet (the last is ${head.lastId}): resume from an id you received`,
    });
  }
}

function cutOffError(reason: CutOff, lastId: number): TRPCError {
  switch (reason) {
    case "too-slow":
      return new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: `This stream fell too far behind and was cut off: resubscribe after ${lastId}`,
      });
    case "signed-out":
      return new TRPCError({ code: "UNAUTHORIZED", message: "Your session has ended: sign in again" });
    case "demoted":
      return new TRPCError({
        code: "FORBIDDEN",
        message: `Your account is no longer an admin: resubscribe (after ${lastId}) to follow your own changes`,
      });
    case "closing":
      return new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: `The server is shutting down: resubscribe after ${lastId}`,
      });
  }
}
