import type { Orm } from "../create-orm.ts";
import { RecordNotFoundError } from "../errors.ts";
import { getItems, type ItemView } from "./items.ts";
import { getUsers, type UserView } from "./users.ts";

/** Reads one record by id; RecordNotFoundError when it does not exist. */
export type ReadById<T> = (id: number) => Promise<T>;

export type ByIdReaders = { user: ReadById<UserView>; item: ReadById<ItemView> };

/**
 * Readers by id that coalesce: the reads asked for while one batch of calls runs (the calls of a
 * batched HTTP request reach their read in the same turn of the event loop) share one set of
 * queries, `where id in (…)`, on an EntityManager fork of their own. Ten `users.byId` in one
 * request are two queries instead of twenty; each call still gets its own answer or its own
 * not-found. For reads outside transactions only: a mutation reads through its own.
 * See docs/decisions/007-coalesced-reads-by-id.md.
 */
export function createByIdReaders(orm: Orm): ByIdReaders {
  return {
    user: coalesced(
      (ids) => getUsers(orm.em.fork(), ids),
      (id) => RecordNotFoundError.user(id),
    ),
    item: coalesced(
      (ids) => getItems(orm.em.fork(), ids),
      (id) => RecordNotFoundError.item(id),
    ),
  };
}

type Waiters<T> = Map<number, PromiseWithResolvers<T>[]>;

function coalesced<T>(
  loadMany: (ids: number[]) => Promise<Map<number, T>>,
  notFound: (id: number) => Error,
): ReadById<T> {
  let gathering: Waiters<T> | undefined;

  const load = async (batch: Waiters<T>) => {
    try {
      const found = await loadMany([...batch.keys()]);
      for (const [id, waiters] of batch) {
        const record = found.get(id);
        for (const waiter of waiters) {
          if (record === undefined) waiter.reject(notFound(id));
          else waiter.resolve(record);
        }
      }
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  };

  return (id) => {
    let batch = gathering;
    if (!batch) {
      const started: Waiters<T> = new Map();
      gathering = batch = started;
      // Runs once the promise jobs queued so far are done: by then every call of the batch,
      // started together, has asked for its record.
      process.nextTick(() => {
        gathering = undefined;
        void load(started);
      });
    }
    const waiter = Promise.withResolvers<T>();
    const waiters = batch.get(id);
    if (waiters) waiters.push(waiter);
    else batch.set(id, [waiter]);
    return waiter.promise;
  };
}
