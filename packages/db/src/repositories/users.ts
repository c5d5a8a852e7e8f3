import {
  type EntityManager,
  LockMode,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from "@mikro-orm/sql";
import { sql } from "kysely";
import { type Role, User } from "../entities/user.ts";
import { ConflictError, RecordNotFoundError } from "../errors.ts";
import { readByIds } from "./by-ids.ts";
import { type FieldChanges, recordChanges } from "./changes.ts";
import { insertRow } from "./insert-row.ts";
import { getItemsOfUsers, type ItemView } from "./items.ts";
import { type Reads, type Row, readsOf } from "./kysely.ts";
import { type Page, type PageQuery, toPage } from "./pagination.ts";
import { isoTimestamp, toIsoTimestamp } from "./timestamps.ts";

/**
 * A user as the repositories hand it out, as the API shows it (timestamps ISO-8601 strings);
 * `items` only when they were asked for.
 */
export type UserView = Pick<User, "id" | "name" | "email" | "role" | "version"> & {
  createdAt: string;
  updatedAt: string;
  items?: ItemView[];
};

/** A new account: a role of "user" and no password unless given (the hash, never the password). */
export type UserFields = {
  name: string;
  email: string;
  role?: Role | undefined;
  passwordHash?: string | null | undefined;
};
export type UserListQuery = PageQuery & { search?: string | undefined; withItems?: boolean };
export type UserChanges = {
  id: number;
  name?: string | undefined;
  email?: string | undefined;
  role?: Role | undefined;
  passwordHash?: string | undefined;
  version?: number | undefined;
};

/** Inserts a user; a taken email is a ConflictError naming it. */
export async function createUser(em: EntityManager, fields: UserFields): Promise<UserView> {
  try {
    const row = await insertRow(em, User, {
      name: fields.name,
      email: fields.email,
      role: fields.role ?? "user",
      passwordHash: fields.passwordHash ?? null,
    });
    await recordChanges(em, [
      { entity: "user", entityId: row.id, ownerId: row.id, op: "create", version: row.version },
    ]);
    return { ...toUserView(row), items: [] };
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
  let select = selectUsers(readsOf(em))
    .where("id", ">", query.cursor ?? 0)
    .orderBy("id")
    .limit(query.limit + 1);
  if (query.search) {
    const pattern = likePattern(query.search);
    // `!` as the LIKE escape character reads the same on SQLite, PostgreSQL and MariaDB (a backslash does not).
    select = select.where(
      sql<boolean>`(lower(${sql.ref("name")}) like ${pattern} escape '!' or lower(${sql.ref("email")}) like ${pattern} escape '!')`,
    );
  }
  const page = toPage((await select.execute()).map(toUserView), query.limit);
  if (!query.withItems) return page;
  return { ...page, items: await withItems(em, page.items) };
}

/**
 * The users with the given ids, each with its items (ordered by id), keyed by id: two queries
 * whatever the number of ids (one when none exists). Missing ids are absent from the map.
 */
export async function getUsers(em: EntityManager, ids: readonly number[]): Promise<Map<number, UserView>> {
  if (ids.length === 0) return new Map();
  const rows = await selectUsersByIds(em, [...new Set(ids)]);
  const found = await withItems(em, rows.map(toUserView));
  return new Map(found.map((user) => [user.id, user]));
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
  const before = { name: user.name, email: user.email, role: user.role };
  em.assign(user, withoutUndefined(fields));
  await flushUser(em, user, seenVersion);
  // The password hash is never part of a change: a new one shows as the version moving on.
  const changed: FieldChanges = {};
  for (const [field, value] of Object.entries(before)) {
    const after = user[field as keyof typeof before];
    if (after !== value) changed[field] = [value, after];
  }
  // An update that changed nothing (same values, no new password) is no change.
  if (Object.keys(changed).length > 0 || user.version !== seenVersion) {
    await recordChanges(em, [
      { entity: "user", entityId: id, ownerId: id, op: "update", version: user.version, fields: changed },
    ]);
  }
  return userView(user);
}

/** Deletes a user; the database deletes its items in the same statement (ON DELETE CASCADE). */
export async function deleteUser(em: EntityManager, id: number): Promise<void> {
  // Its items first, for the change log: the database deletes them with the user.
  const items = await readsOf(em)
    .selectFrom("items")
    .select("id")
    .where("owner_id", "=", id)
    .orderBy("id")
    .execute();
  const deleted = await em.nativeDelete(User, { id });
  if (deleted === 0) throw RecordNotFoundError.user(id);
  await recordChanges(em, [
    { entity: "user", entityId: id, ownerId: id, op: "delete" },
    ...items.map((item) => ({
      entity: "item" as const,
      entityId: item.id,
      ownerId: id,
      op: "delete" as const,
    })),
  ]);
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

/**
 * The users, each given its items (already ordered by id): one query for all of them. The views
 * are this call's own, so they are completed in place rather than copied.
 */
async function withItems(em: EntityManager, users: UserView[]): Promise<UserView[]> {
  const byOwner = new Map<number, ItemView[]>();
  for (const user of users) {
    const items: ItemView[] = [];
    user.items = items;
    byOwner.set(user.id, items);
  }
  for (const item of await getItemsOfUsers(em, [...byOwner.keys()])) byOwner.get(item.ownerId)?.push(item);
  return users;
}

function selectUsers(db: Reads) {
  return db
    .selectFrom("users")
    .select(["id", "name", "email", "role", "created_at", "updated_at", "version"]);
}

const selectUsersByIds = readByIds((db, ids) => selectUsers(db).where("id", "in", ids).orderBy("id"));

function toUserView(row: Omit<Row<"users">, "password_hash">): UserView {
  // Most accounts never changed: one conversion serves both timestamps.
  const createdAt = isoTimestamp(row.created_at);
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    createdAt,
    updatedAt: row.updated_at === row.created_at ? createdAt : isoTimestamp(row.updated_at),
    version: row.version,
  };
}

/** The view of a managed User entity, after a write (no items: writes do not load them). */
function userView(user: User): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    createdAt: toIsoTimestamp(user.createdAt),
    updatedAt: toIsoTimestamp(user.updatedAt),
    version: user.version,
  };
}

/** `%term%`, lower-cased, with LIKE's own wildcards escaped so they match literally. */
function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[!%_]/g, "!$&")}%`;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What signing in needs of an account: its id and password hash (null: it cannot sign in). */
export type Credentials = { id: number; passwordHash: string | null };

/** The account with this (normalised) email, or undefined. */
export async function findCredentials(em: EntityManager, email: string): Promise<Credentials | undefined> {
  const row = await readsOf(em)
    .selectFrom("users")
    .select(["id", "password_hash"])
    .where("email", "=", email)
    .executeTakeFirst();
  return row && { id: row.id, passwordHash: row.password_hash ?? null };
}

/** The password hash of an account, or undefined when the account does not exist. */
export async function passwordHashOf(em: EntityManager, id: number): Promise<string | null | undefined> {
  const row = await readsOf(em)
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", id)
    .executeTakeFirst();
  return row && (row.password_hash ?? null);
}

/** Replaces an account's password hash; the version moves on as for any change to the account. */
export async function setPasswordHash(em: EntityManager, id: number, passwordHash: string): Promise<void> {
  await updateUser(em, { id, passwordHash });
}

/** One account without its items (sign-in, `auth.me`); RecordNotFoundError when missing. */
export async function getAccount(em: EntityManager, id: number): Promise<UserView> {
  const row = await selectUsers(readsOf(em)).where("id", "=", id).executeTakeFirst();
  if (!row) throw RecordNotFoundError.user(id);
  return toUserView(row);
}
