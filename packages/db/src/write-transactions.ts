import type { EntityManager } from "@mikro-orm/sql";
import { type Context, context } from "@opentelemetry/api";
import type { Orm } from "./create-orm.ts";
import { isLockNotGranted } from "./transient-errors.ts";

/** Work that runs in a transaction of its own: it commits when `work` returns, rolls back when it throws. */
export type TransactionWork<T> = (em: EntityManager) => Promise<T>;

type Job = {
  work: TransactionWork<unknown>;
  /** The call's trace context: its statements are its spans' children, not the first call's. */
  context: Context;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How many units of work one SQLite transaction takes at most. */
export const maxGroupSize = 32;

const groupsByOrm = new WeakMap<Orm, SqliteWriteGroups>();

/**
 * Runs `work` in a transaction of its own, with its own EntityManager: it commits when `work`
 * returns and rolls back when it throws, and the promise settles only once that is done.
 *
 * On PostgreSQL and MariaDB each call opens its own transaction on a pooled connection. SQLite
 * has one connection a process, so its write transactions run one after the other anyway: there,
 * those waiting when one begins are run together in one transaction (group commit), each in a
 * savepoint of its own. A call that fails rolls back to its savepoint, and the others go on; a call
 * that succeeded is answered only after the transaction committed, and if the commit fails, every
 * call of the group fails with it. Nothing is answered that was not written, and nothing half of
 * a call is written. What it saves: the commit's write of every page to the log (the same few
 * pages for every create: the change head, the tables' last leaves) and the file's write lock
 * taken once for the group, not for each call (docs/performance.md).
 */
export function inWriteTransaction<T>(orm: Orm, work: TransactionWork<T>): Promise<T> {
  if (orm.dialect !== "sqlite") return orm.em.fork().transactional(work);
  let groups = groupsByOrm.get(orm);
  if (!groups) {
    groups = new SqliteWriteGroups(orm);
    groupsByOrm.set(orm, groups);
  }
  return groups.run(work);
}

class SqliteWriteGroups {
  readonly #orm: Orm;
  readonly #waiting: Job[] = [];
  #running = false;

  constructor(orm: Orm) {
    this.#orm = orm;
  }

  run<T>(work: TransactionWork<T>): Promise<T> {
    if (!this.#running) {
      this.#running = true;
      return this.#alone(work);
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        work,
        context: context.active(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /** Nothing else to write: the call's own transaction, as if there were no groups. */
  async #alone<T>(work: TransactionWork<T>): Promise<T> {
    try {
      return await this.#orm.em.fork().transactional(work);
    } catch (error) {
      this.#failWaitingIfLocked(error);
      throw error;
    } finally {
      // Calls that came meanwhile (while this one waited for the lock) go together.
      void this.#drain();
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) await this.#runGroup();
    } finally {
      this.#running = false;
    }
  }

  /**
   * One transaction for the calls waiting now, and for those that come while it runs, up to
   * `maxGroupSize`. Each runs in a nested transaction (a savepoint, and a fork of its own that
   * starts empty, as a transaction of its own would).
   */
  async #runGroup(): Promise<void> {
    const group: Job[] = [];
    const outcomes: Outcome[] = [];
    const lead = this.#waiting[0];
    if (!lead) return;
    try {
      // The group's begin and commit belong to the trace of its first call.
      await context.with(lead.context, () => this.#transaction(group, outcomes));
    } catch (error) {
      // Begin or commit failed, or SQLite ended the transaction by itself: nothing of the group was
      // written. A call that failed on its own still says why; every other one fails with this.
      group.forEach((job, i) => {
        const outcome = outcomes[i];
        job.reject(outcome && !outcome.ok ? outcome.error : error);
      });
      this.#failWaitingIfLocked(error);
      return;
    }
    group.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }

  /** Runs the waiting calls in one transaction, recording each one's outcome as it goes. */
  #transaction(group: Job[], outcomes: Outcome[]): Promise<void> {
    return this.#orm.em.fork().transactional(async (trx) => {
      // The write lock is held from here. A call alone in the queue now has the transaction to
      // itself, as it would without groups (it fails with the transaction, no savepoint needed);
      // groups form when calls came while the lock was waited for.
      const first = this.#waiting.shift();
      if (first && this.#waiting.length === 0) {
        group.push(first);
        const work = first.work;
        outcomes.push({ ok: true, value: await context.with(first.context, () => work(trx)) });
        return;
      }
      for (let job = first; job; job = this.#next(group.length)) {
        group.push(job);
        const work = job.work;
        try {
          const value = await context.with(job.context, () => trx.transactional(work, { clear: true }));
          outcomes.push({ ok: true, value });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  /**
   * The lock was not granted within the busy timeout: the calls waiting now fail with the same
   * error, rather than each group in turn waiting its own timeout (a call behind four groups
   * answered 503 after 20 s where the timeout said 5).
   */
  #failWaitingIfLocked(error: unknown): void {
    if (!isLockNotGranted(error)) return;
    for (const job of this.#waiting.splice(0)) job.reject(error);
  }

  #next(taken: number): Job | undefined {
    return taken < maxGroupSize ? this.#waiting.shift() : undefined;
  }
}
