import { type ItemView, items, type Orm, RecordNotFoundError, type UserView, users } from "@app/db";
import DataLoader from "dataloader";

/** Reads by id that the calls of one request share: `ctx.loaders.user.load(id)`. */
export type Loaders = { user: DataLoader<number, UserView>; item: DataLoader<number, ItemView> };

/**
 * The loaders of one request. The calls of a batched HTTP request reach their read in the same
 * turn of the event loop, so their ids go out together, `where id in (…)`, on an EntityManager
 * fork of the loader's own: ten `users.byId` are two queries, not twenty. Each call still gets its
 * own answer or its own not-found, and a failed query fails only the calls of its batch. For reads
 * outside transactions only: a mutation reads through its own. See
 * docs/decisions/007-coalesced-reads-by-id.md.
 */
export function createLoaders(orm: Orm): Loaders {
  return new RequestLoaders(orm);
}

/**
 * Each loader is made on first use: most requests (every mutation, every list) read nothing by
 * id. A class, since getters on an object literal cost more to create than the loaders they defer.
 */
class RequestLoaders implements Loaders {
  readonly #orm: Orm;
  #user: Loaders["user"] | undefined;
  #item: Loaders["item"] | undefined;

  constructor(orm: Orm) {
    this.#orm = orm;
  }

  get user(): Loaders["user"] {
    this.#user ??= byId(
      (ids) => users.getUsers(this.#orm.em.fork(), ids),
      (id) => RecordNotFoundError.user(id),
    );
    return this.#user;
  }

  get item(): Loaders["item"] {
    this.#item ??= byId(
      (ids) => items.getItems(this.#orm.em.fork(), ids),
      (id) => RecordNotFoundError.item(id),
    );
    return this.#item;
  }
}

function byId<T>(
  getMany: (ids: readonly number[]) => Promise<Map<number, T>>,
  notFound: (id: number) => Error,
): DataLoader<number, T> {
  return new DataLoader(
    async (ids) => {
      const found = await getMany(ids);
      return ids.map((id) => found.get(id) ?? notFound(id));
    },
    // No memo: a context can outlive a batch (an in-process caller), where a remembered record
    // would be stale after a write. An id asked for twice in one batch is still read once:
    // getUsers and getItems drop repeated ids.
    { cache: false },
  );
}
