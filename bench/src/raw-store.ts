// What a raw ceiling's data access offers its routes, whatever the database (raw-sqlite.ts,
// raw-postgres.ts, raw-mariadb.ts): the statements the benchmark's calls need, rows mapped to the
// API's JSON shapes by hand.

export type ItemJson = {
  id: number;
  title: string;
  description: string | null;
  ownerId: number;
  createdAt: string;
  updatedAt: string;
};
export type UserJson = {
  id: number;
  name: string;
  email: string;
  role: "user" | "admin";
  createdAt: string;
  updatedAt: string;
  version: number;
  items?: ItemJson[];
};
export type UserPageJson = { items: UserJson[]; nextCursor: number | null };

/** A users row as the drivers return it: timestamps as text (PostgreSQL, MariaDB) or epoch ms (SQLite). */
export type UserRow<Time = string> = {
  id: number;
  name: string;
  email: string;
  role: "user" | "admin";
  created_at: Time;
  updated_at: Time;
  version: number;
};

/** An items row, as UserRow. */
export type ItemRow<Time = string> = {
  id: number;
  title: string;
  description: string | null;
  owner_id: number;
  created_at: Time;
  updated_at: Time;
};

/** How a caller proved who they are, as the token's prefix says (packages/api/src/auth/tokens.ts). */
export type CredentialKind = "session" | "token";

/** A credential's row as the lookup selects it; `Time` is how the driver hands back timestamps. */
export type CredentialSqlRow<Time = string> = {
  id: number;
  user_id: number;
  last_used_at: Time | null;
  expires_at: Time | null;
  role: "user" | "admin";
};

/** The columns every ceiling reads of a user and of an item, in the project's answer order. */
export const userColumns = "id, name, email, role, created_at, updated_at, version";
export const itemColumns = "id, title, description, owner_id, created_at, updated_at";

/**
 * The credential lookup the project makes (sessions.ts): one indexed query by the token's hash,
 * joined to the account. `hash` is the driver's placeholder (`?` or `$1`).
 */
export function credentialSql(table: "sessions" | "api_tokens", hash: string): string {
  return `select c.id, c.user_id, c.last_used_at, c.expires_at, u.role from ${table} as c inner join users as u on u.id = c.user_id where c.token_hash = ${hash}`;
}

/** A credential's row: its account, that account's role, and when it expires (epoch ms; null never). */
export type CredentialRow = { userId: number; role: "user" | "admin"; expiresAtMs: number | null };

export type NewUser = { name: string; email: string; actorId: number };
export type NewItem = { userId: number; title: string; description: string | null; actorId: number };
export type PageOptions = { cursor: number; limit: number; withItems: boolean };

type Awaitable<T> = T | Promise<T>;

/** A failed call, answered with tRPC's status for its code. */
export class RawCallError extends Error {
  readonly code: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT";

  constructor(code: RawCallError["code"], message: string) {
    super(message);
    this.code = code;
  }

  get status(): number {
    return { BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 }[this.code];
  }
}

export type RawStore = {
  ping(): Awaitable<unknown>;
  /**
   * The credential whose SHA-256 (hex) this is, joined to its account: one indexed query, as
   * the project's `findCaller` (packages/db/src/repositories/sessions.ts) runs on every request.
   */
  credential(kind: CredentialKind, hash: string): Awaitable<CredentialRow | undefined>;
  userWithItems(id: number): Awaitable<UserJson | undefined>;
  /** A batch's users with their items, missing ids absent: as few round trips as the database allows. */
  usersWithItems(ids: readonly number[]): Awaitable<Map<number, UserJson>>;
  listUsers(options: PageOptions): Awaitable<UserPageJson>;
  /**
   * Inserts the user and, in the same transaction, its change row, its id taken from the change
   * head as the project takes it (packages/db/src/repositories/changes.ts, decision 012). A taken
   * email is a CONFLICT.
   */
  createUser(user: NewUser): Awaitable<UserJson>;
  /** Likewise for an item; a missing owner is a NOT_FOUND. */
  createItem(item: NewItem): Awaitable<ItemJson>;
  close(): Awaitable<void>;
};

/** A change row's values as the project writes them for a create (`recordChanges`). */
export type NewChange = {
  entity: "user" | "item";
  entityId: number;
  ownerId: number;
  op: "create";
  version: number | null;
};

export const changeOf = {
  user: (id: number): NewChange => ({ entity: "user", entityId: id, ownerId: id, op: "create", version: 1 }),
  item: (id: number, ownerId: number): NewChange => ({
    entity: "item",
    entityId: id,
    ownerId,
    op: "create",
    version: null,
  }),
};

/**
 * A timestamp as PostgreSQL (session time zone UTC: `2026-01-01 00:00:00.1+00`) or MariaDB
 * (`2026-01-01 00:00:00.100`) send it as text, in the API's ISO form (`…T00:00:00.100Z`). The
 * ceilings take timestamps as text and never build a Date: a driver building one per timestamp
 * cost them about half their list throughput (issue 18).
 */
export function isoFromText(text: string): string {
  let fraction = "000";
  if (text.charCodeAt(19) === 46 /* "." */) {
    let end = 20;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    fraction = `${text.slice(20, end)}00`.slice(0, 3);
  }
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}

/** A users row with text timestamps (PostgreSQL, MariaDB) as the project answers it. */
export function userFromText(row: UserRow): UserJson {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    createdAt: isoFromText(row.created_at),
    updatedAt: isoFromText(row.updated_at),
    version: row.version,
  };
}

/** An items row with text timestamps, as userFromText. */
export function itemFromText(row: ItemRow): ItemJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    createdAt: isoFromText(row.created_at),
    updatedAt: isoFromText(row.updated_at),
  };
}

/** A driver error's code: PostgreSQL's SQLSTATE (23505 unique, 23503 foreign key) or MySQL's name. */
export function driverErrorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}
