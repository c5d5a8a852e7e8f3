import { type EntityManager, ForeignKeyConstraintViolationException } from "@mikro-orm/sql";
import { ApiToken } from "../entities/api-token.ts";
import { RecordNotFoundError } from "../errors.ts";
import { insertRow } from "./insert-row.ts";
import { type Row, readsOf } from "./kysely.ts";
import { isoTimestamp } from "./timestamps.ts";

/** An API token as its owner may see it (timestamps ISO-8601 strings): never its secret, which is not stored. */
export type ApiTokenView = {
  id: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
};

export type NewApiToken = {
  userId: number;
  name: string;
  tokenHash: string;
  now: Date;
  expiresAt: Date | null;
};

export async function createApiToken(em: EntityManager, token: NewApiToken): Promise<ApiTokenView> {
  try {
    const row = await insertRow(em, ApiToken, {
      user: token.userId,
      name: token.name,
      tokenHash: token.tokenHash,
      createdAt: token.now,
      expiresAt: token.expiresAt,
      lastUsedAt: null,
    });
    return toApiTokenView(row);
  } catch (error) {
    // The account was deleted while the call ran (a race a hostile test provoked: it was a 500).
    if (error instanceof ForeignKeyConstraintViolationException) throw RecordNotFoundError.user(token.userId);
    throw error;
  }
}

/** An account's tokens, oldest first. */
export async function listApiTokens(em: EntityManager, userId: number): Promise<ApiTokenView[]> {
  const rows = await readsOf(em)
    .selectFrom("api_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map(toApiTokenView);
}

/** Revokes one of an account's tokens; someone else's token is as missing as one that never was. */
export async function revokeApiToken(em: EntityManager, userId: number, id: number): Promise<void> {
  const deleted = await em.nativeDelete(ApiToken, { id, user: userId });
  if (deleted === 0) throw new RecordNotFoundError(`API token ${id} not found`);
}

function toApiTokenView(row: Row<"api_tokens">): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    createdAt: isoTimestamp(row.created_at),
    expiresAt: row.expires_at == null ? null : isoTimestamp(row.expires_at),
    lastUsedAt: row.last_used_at == null ? null : isoTimestamp(row.last_used_at),
  };
}
