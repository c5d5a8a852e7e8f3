import { type EntityManager, ForeignKeyConstraintViolationException } from "@mikro-orm/sql";
import type { CompiledQuery } from "kysely";
import { Session } from "../entities/session.ts";
import type { Role } from "../entities/user.ts";
import { RecordNotFoundError } from "../errors.ts";
import { insertRow } from "./insert-row.ts";
import { readsOf } from "./kysely.ts";
import { type RawTimestamp, storedDate, toDate } from "./timestamps.ts";

/** How a caller proved who they are: a session (browser, sign-in) or a named API token. */
export type CredentialKind = "session" | "token";

/** Who is calling, as the credential they presented resolves. */
export type CallerRecord = {
  userId: number;
  role: Role;
  kind: CredentialKind;
  credentialId: number;
  /** When the credential was last seen in use (null: never, for a new API token). */
  lastUsedAt: Date | null;
  expiresAt: Date | null;
};

export type NewSession = { userId: number; tokenHash: string; now: Date; expiresAt: Date };

/** Starts a session; returns its id. */
export async function createSession(em: EntityManager, session: NewSession): Promise<number> {
  try {
    const row = await insertRow(em, Session, {
      user: session.userId,
      tokenHash: session.tokenHash,
      createdAt: session.now,
      lastUsedAt: session.now,
      expiresAt: session.expiresAt,
    });
    return row.id;
  } catch (error) {
    // The account was deleted between the password check and this insert.
    if (error instanceof ForeignKeyConstraintViolationException)
      throw RecordNotFoundError.user(session.userId);
    throw error;
  }
}

/**
 * The caller a credential's hash belongs to, if it exists and has not expired: one indexed
 * lookup joined to its account, so a deleted account or an ended session is refused at once,
 * by every server process (nothing is cached).
 */
export async function findCaller(
  em: EntityManager,
  kind: CredentialKind,
  tokenHash: string,
  now: Date,
): Promise<CallerRecord | undefined> {
  const db = readsOf(em);
  const compiled = callerQueries(em)[kind];
  const [row] = (await db.executeQuery<CallerRow>({ ...compiled, parameters: [tokenHash] })).rows;
  if (!row) return undefined;
  const expiresAt = row.expires_at == null ? null : toDate(row.expires_at);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return undefined;
  return {
    userId: row.user_id,
    role: row.role,
    kind,
    credentialId: row.id,
    lastUsedAt: row.last_used_at == null ? null : toDate(row.last_used_at),
    expiresAt,
  };
}

type CallerRow = {
  id: number;
  user_id: number;
  last_used_at: RawTimestamp | null;
  expires_at: RawTimestamp | null;
  role: Role;
};

// Compiled once per ORM (its dialect) and run with each call's hash: every request makes this
// lookup, and building and compiling the query cost about as much as running it (a profile of
// users.byId under load).
const compiledCallerQueries = new WeakMap<object, Record<CredentialKind, CompiledQuery<CallerRow>>>();

function callerQueries(em: EntityManager): Record<CredentialKind, CompiledQuery<CallerRow>> {
  const key = em.getPlatform();
  let queries = compiledCallerQueries.get(key);
  if (!queries) {
    const db = readsOf(em);
    const columns = ["c.id", "c.user_id", "c.last_used_at", "c.expires_at", "u.role"] as const;
    queries = {
      session: db
        .selectFrom("sessions as c")
        .innerJoin("users as u", "u.id", "c.user_id")
        .select(columns)
        .where("c.token_hash", "=", "")
        .compile(),
      token: db
        .selectFrom("api_tokens as c")
        .innerJoin("users as u", "u.id", "c.user_id")
        .select(columns)
        .where("c.token_hash", "=", "")
        .compile(),
    };
    compiledCallerQueries.set(key, queries);
  }
  return queries;
}

/** Records a credential's use; a session's expiry moves to `expiresAt` (sliding expiry). */
export async function touchCredential(
  em: EntityManager,
  caller: Pick<CallerRecord, "kind" | "credentialId">,
  now: Date,
  expiresAt?: Date,
): Promise<void> {
  const db = readsOf(em);
  if (caller.kind === "session") {
    await db
      .updateTable("sessions")
      .set({ last_used_at: storedDate(em, now), ...(expiresAt && { expires_at: storedDate(em, expiresAt) }) })
      .where("id", "=", caller.credentialId)
      .execute();
  } else {
    await db
      .updateTable("api_tokens")
      .set({ last_used_at: storedDate(em, now) })
      .where("id", "=", caller.credentialId)
      .execute();
  }
}

/** Ends one session (sign-out). */
export async function deleteSession(em: EntityManager, id: number): Promise<void> {
  await em.nativeDelete(Session, { id });
}

/** Ends every session of an account but `keepId` (after a password change). */
export async function deleteOtherSessions(
  em: EntityManager,
  userId: number,
  keepId?: number,
): Promise<number> {
  return em.nativeDelete(Session, { user: userId, ...(keepId !== undefined && { id: { $ne: keepId } }) });
}

/** Sessions that expired before `now` (housekeeping; an expired one is refused anyway). */
export async function deleteExpiredSessions(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(Session, { expiresAt: { $lte: now } });
}

/**
 * Which of these credentials still hold (exist, not expired), with their account's role now: one
 * query per kind, whatever the number. The change feed asks it for all its subscribers at once,
 * to end a signed-out stream and one whose admin is one no longer.
 */
export async function liveCredentials(
  em: EntityManager,
  credentials: readonly { kind: CredentialKind; id: number }[],
  now: Date,
): Promise<Map<string, Role>> {
  const db = readsOf(em);
  const live = new Map<string, Role>();
  const at = storedDate(em, now);
  const sessionIds = credentials.filter((c) => c.kind === "session").map((c) => c.id);
  const tokenIds = credentials.filter((c) => c.kind === "token").map((c) => c.id);
  for (const chunk of chunks(sessionIds)) {
    const rows = await db
      .selectFrom("sessions as c")
      .innerJoin("users as u", "u.id", "c.user_id")
      .select(["c.id", "u.role"])
      .where("c.id", "in", chunk)
      .where("c.expires_at", ">", at)
      .execute();
    for (const row of rows) live.set(`session:${row.id}`, row.role);
  }
  for (const chunk of chunks(tokenIds)) {
    const rows = await db
      .selectFrom("api_tokens as c")
      .innerJoin("users as u", "u.id", "c.user_id")
      .select(["c.id", "u.role"])
      .where("c.id", "in", chunk)
      .where((eb) => eb.or([eb("c.expires_at", "is", null), eb("c.expires_at", ">", at)]))
      .execute();
    for (const row of rows) live.set(`token:${row.id}`, row.role);
  }
  return live;
}

/** Ids in lists of at most 1,000: well inside every database's limit on bound parameters. */
function chunks(ids: readonly number[]): number[][] {
  const lists: number[][] = [];
  for (let i = 0; i < ids.length; i += 1000) lists.push(ids.slice(i, i + 1000));
  return lists;
}
