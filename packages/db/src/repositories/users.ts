import {
  type EntityManager,
  LockMode,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from "@mikro-orm/sql";
import { User } from "../entities/user.ts";
import { ConflictError, RecordNotFoundError } from "../errors.ts";
import { type UserView, userView } from "../views.ts";
import { insertUser } from "./inserts.ts";
import { type Page, type PageQuery, toPage } from "./pagination.ts";
import { attachItems, readsOf, selectItemsOf, selectUsers, selectUsersById } from "./reads.ts";

export type UserFields = Pick<User, "name" | "email">;
export type UserListQuery = PageQuery & { search?: string | undefined; withItems?: boolean };
export type UserChanges = Partial<UserFields> & { id: number; version?: number | undefined };

/** Inserts a user; a taken email is a ConflictError naming it. */
export async function createUser(em: EntityManager, fields: UserFields): Promise<UserView> {
  try {
    return { ...(await insertUser(em, fields)), items: [] };
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw ConflictError.emailTaken(fields.email);
    throw error;
  }
}

/**
 * One keyset page of users ordered by id, optionally filtered by a name/email substring;
 * with items, one more query for the whole page.
 */
export async function listUsers(em: EntityManager, query: UserListQuery): Promise<Page<UserView>> {
  const db = readsOf(em);
  const rows = await selectUsers(db, {
    cursor: query.cursor ?? 0,
    limit: query.limit + 1,
    pattern: query.search ? likePattern(query.search) : undefined,
  });
  const page = toPage(rows, query.limit);
  if (!query.withItems) return page;
  const items = await selectItemsOf(
    db,
    page.items.map((user) => user.id),
  );
  return { ...page, items: attachItems(page.items, items) };
}

/**
 * The users with the given ids, each with its items (ordered by id), keyed by id: two queries
 * whatever the number of ids (one when none exists). Missing ids are absent from the map.
 */
export async function getUsers(em: EntityManager, ids: readonly number[]): Promise<Map<number, UserView>> {
  const db = readsOf(em);
  const found = await selectUsersById(db, ids);
  const items = await selectItemsOf(
    db,
    found.map((user) => user.id),
  );
  return new Map(attachItems(found, items).map((user) => [user.id, user]));
}

/** Applies the given changes; a `version` other than the current one is a ConflictError. */
export async function updateUser(em: EntityManager, changes: UserChanges): Promise<UserView> {
  const { id, version, ...fields } = changes;
  // Lock the row (PostgreSQL, MariaDB: select … for update; SQLite's begin immediate already
  // holds the file's write lock), so concurrent updates queue up instead of tripping the
  // version check of an update that did not ask for one.
  const user = await em.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!user) throw RecordNotFoundError.user(id);
  if (version !== undefined && version !== user.version) {
    throw ConflictError.staleVersion(id, version, user.version);
  }
  const seenVersion = user.version;
  em.assign(user, withoutUndefined(fields));
  await flushUser(em, user, seenVersion);
  return userView(user);
}

/** Deletes a user; the database deletes its items in the same statement (ON DELETE CASCADE). */
export async function deleteUser(em: EntityManager, id: number): Promise<void> {
  const deleted = await em.nativeDelete(User, { id });
  if (deleted === 0) throw RecordNotFoundError.user(id);
}

/** Flushes, turning a unique-email violation or a lost version race into a ConflictError. */
async function flushUser(em: EntityManager, user: User, seenVersion?: number): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw ConflictError.emailTaken(user.email);
    if (error instanceof OptimisticLockError && seenVersion !== undefined) {
      throw ConflictError.staleVersion(user.id, seenVersion);
    }
    throw error;
  }
}

/** `%term%`, lower-cased, with LIKE's own wildcards escaped so they match literally. */
function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[!%_]/g, "!$&")}%`;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
