import type { DriverException, EntityManager } from "@mikro-orm/sql";
import type { InsertQueryBuilder, InsertResult } from "kysely";
import type { ItemView, UserView } from "../views.ts";
import { type Database, type RawTimestamp, readsOf } from "./reads.ts";

/**
 * Creates are single INSERTs through Kysely, in the call's transaction: a new row has no state
 * worth tracking, and the ORM's create-and-flush cost about 330 us more per call than the
 * statement itself (docs/decisions/006-reads-through-kysely.md). Values are stored as the ORM
 * stores them (`processDateProperty`: milliseconds on SQLite, UTC DATETIME on MariaDB), and
 * driver errors come back converted by the ORM, so callers test for its exception classes.
 */
export async function insertUser(
  em: EntityManager,
  fields: { name: string; email: string },
): Promise<UserView> {
  const now = new Date();
  const stored = storedDate(em, now);
  const query = readsOf(em)
    .insertInto("users")
    .values({ name: fields.name, email: fields.email, created_at: stored, updated_at: stored, version: 1 });
  const id = await insertedId(em, query);
  return { id, ...fields, createdAt: now, updatedAt: now, version: 1 };
}

export async function insertItem(
  em: EntityManager,
  fields: { ownerId: number; title: string; description: string | null },
): Promise<ItemView> {
  const now = new Date();
  const stored = storedDate(em, now);
  const query = readsOf(em).insertInto("items").values({
    title: fields.title,
    description: fields.description,
    owner_id: fields.ownerId,
    created_at: stored,
    updated_at: stored,
  });
  const id = await insertedId(em, query);
  return { id, ...fields, createdAt: now, updatedAt: now };
}

function storedDate(em: EntityManager, date: Date): RawTimestamp {
  return em.getPlatform().processDateProperty(date) as RawTimestamp;
}

/**
 * Runs the INSERT and returns the new row's id: through RETURNING where the platform has it
 * (SQLite, PostgreSQL), else the driver's insert id (MariaDB). Driver errors come back converted.
 */
async function insertedId<Table extends "users" | "items">(
  em: EntityManager,
  query: InsertQueryBuilder<Database, Table, InsertResult>,
): Promise<number> {
  try {
    return em.getPlatform().usesReturningStatement()
      ? (await query.returning("id").executeTakeFirstOrThrow()).id
      : Number((await query.executeTakeFirstOrThrow()).insertId);
  } catch (error) {
    throw error instanceof Error ? (em.getDriver().convertException(error) as DriverException) : error;
  }
}
