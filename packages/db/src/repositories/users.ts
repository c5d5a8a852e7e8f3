import {
  type EntityManager,
  LockMode,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from "@mikro-orm/sql";
import { User } from "../entities/user.ts";
import { ConflictError, RecordNotFoundError } from "../errors.ts";
import { type Page, type PageQuery, toPage } from "./pagination.ts";

export type UserFields = Pick<User, "name" | "email">;
export type UserListQuery = PageQuery & { search?: string | undefined; withItems?: boolean };
export type UserChanges = Partial<UserFields> & { id: number; version?: number | undefined };

/** Inserts a user; a taken email is a ConflictError naming it. */
export async function createUser(em: EntityManager, fields: UserFields): Promise<User> {
  const user = em.create(User, fields);
  await flushUser(em, user);
  return user;
}

/** One keyset page of users ordered by id, optionally filtered by a name/email substring, with items in one more query. */
export async function listUsers(em: EntityManager, query: UserListQuery): Promise<Page<User>> {
  const qb = em
    .createQueryBuilder(User, "u")
    .select("*")
    .orderBy({ id: "asc" })
    .limit(query.limit + 1);
  if (query.cursor) qb.andWhere({ id: { $gt: query.cursor } });
  if (query.search) {
    const pattern = likePattern(query.search);
    // `!` as the LIKE escape character reads the same on SQLite, PostgreSQL and MariaDB (a backslash does not).
    qb.andWhere("(lower(u.name) like ? escape '!' or lower(u.email) like ? escape '!')", [pattern, pattern]);
  }
  const page = toPage(await qb.getResultList(), query.limit);
  if (query.withItems) await em.populate(page.items, ["items"]);
  return page;
}

/** A user, with its items (ordered by id) unless told otherwise; RecordNotFoundError when missing. */
export async function getUser(em: EntityManager, id: number, options = { withItems: true }): Promise<User> {
  const user = await em.findOne(User, { id }, options.withItems ? { populate: ["items"] } : {});
  if (!user) throw RecordNotFoundError.user(id);
  return user;
}

/** Applies the given changes; a `version` other than the current one is a ConflictError. */
export async function updateUser(em: EntityManager, changes: UserChanges): Promise<User> {
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
  return user;
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
