import type { AppRouter } from "@app/client";
import type { TRPCClient } from "@trpc/client";
import { getErrorCode } from "../lib/api-errors.ts";
import type { Change } from "./types.ts";

export type FollowOptions = {
  client: TRPCClient<AppRouter>;
  /** Resume after this change id; undefined: from now on. */
  after: number | undefined;
  /** Changes as they arrived, in id order, a few at a time: a burst is handed over as one batch. */
  onChanges: (changes: Change[]) => void;
  /** The stream ended with UNAUTHORIZED: the session is over. Not resubscribed. */
  onUnauthorized: (error: unknown) => void;
  /**
   * A stream started with no place to resume from: the first one (without `after`), or the next
   * after the server could not resume (the changes after the last id were pruned,
   * PRECONDITION_FAILED, or it has no such change, BAD_REQUEST: the log was reset, say). From now
   * on every change arrives, but what was read before (a page loaded while the stream was being
   * opened, or before the place was lost) may have missed some: reload it.
   */
  onFollowingFromNow: () => void;
  /**
   * The stream ended with FORBIDDEN: the account is an admin no longer, and the stream saw
   * everyone's changes. Resubscribed (after the last id) once the returned promise settles: by
   * then the session should say so.
   */
  onDemoted: () => Promise<unknown>;
  /** How long to wait before the `attempt`-th resubscription in a row (0-based). */
  retryDelayMs?: (attempt: number) => number;
  /** How long to gather a burst before handing it over. */
  batchMs?: number;
};

/** 0.5 s, 1 s, 2 s … up to 30 s, give or take a fifth, so many tabs do not come back at once. */
export function defaultRetryDelayMs(attempt: number): number {
  const base = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A stream that stayed up this long before it failed counts as a success: the backoff starts over. */
const healthyAfterMs = 10_000;

/**
 * Follows `changes.onChange`. The subscription link itself reconnects a dropped connection (the
 * browser's EventSource sends the last event id, and the server resumes after it); this covers
 * what ends the subscription: an error the link gives up on (a stream cut off for falling
 * behind, a server restart) or a stream the server ended. It resubscribes after the last id
 * received, waiting longer each time in a row, except after UNAUTHORIZED, which ends it; after
 * FORBIDDEN (demoted), once `onDemoted` is done; from now on when the server cannot resume there.
 * Whenever a stream that follows from now has started, `onFollowingFromNow` says what was read
 * before it may be behind.
 */
export function followChanges(options: FollowOptions) {
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  const batchMs = options.batchMs ?? 30;
  let lastId = options.after;
  let stopped = false;
  let attempt = 0;
  let startedAt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let pending: Change[] = [];
  let subscription: { unsubscribe(): void } | undefined;

  function flush() {
    clearTimeout(batchTimer);
    batchTimer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    options.onChanges(batch);
  }

  function subscribe() {
    retryTimer = undefined;
    // Each subscription's callbacks act only while it is the current one.
    let current = true;
    const end = (error?: unknown) => {
      if (!current || stopped) return;
      current = false;
      subscription?.unsubscribe();
      subscription = undefined;
      resubscribe(error);
    };
    subscription = options.client.changes.onChange.subscribe(lastId === undefined ? {} : { after: lastId }, {
      // On every (re)connection: the server follows the feed once it says so (docs/live-data.md).
      onStarted() {
        startedAt = Date.now();
        if (current && !stopped && lastId === undefined) options.onFollowingFromNow();
      },
      onData({ id, data }) {
        if (!current || stopped) return;
        const changeId = Number(id);
        // Each change once, in order (the server guarantees it; a resumed stream never repeats).
        if (lastId !== undefined && changeId <= lastId) return;
        lastId = changeId;
        pending.push(data);
        batchTimer ??= setTimeout(flush, batchMs);
      },
      onError: (error) => end(error),
      // The server ended the stream (it does not, but a proxy might): follow on from where it was.
      onComplete: () => end(),
    });
  }

  function resubscribe(error: unknown) {
    flush();
    const code = getErrorCode(error);
    if (code === "UNAUTHORIZED") {
      stopped = true;
      options.onUnauthorized(error);
      return;
    }
    // Followed from now on; what is cached is reloaded once that stream has started.
    if (code === "PRECONDITION_FAILED" || (code === "BAD_REQUEST" && lastId !== undefined))
      lastId = undefined;
    if (startedAt !== 0 && Date.now() - startedAt >= healthyAfterMs) attempt = 0;
    startedAt = 0;
    if (code === "FORBIDDEN") {
      void options
        .onDemoted()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) scheduleRetry();
        });
      return;
    }
    scheduleRetry();
  }

  function scheduleRetry() {
    retryTimer = setTimeout(subscribe, retryDelayMs(attempt));
    attempt += 1;
  }

  subscribe();
  return {
    /** The id of the last change received: where to resume. */
    lastId: () => lastId,
    /** Unsubscribes, handing over what arrived but was not handed over yet. */
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      subscription?.unsubscribe();
      subscription = undefined;
      flush();
    },
  };
}
