import type { EntityManager } from "@mikro-orm/sql";
import { type CompiledQuery, sql } from "kysely";
import { dialectOf, type Orm } from "../create-orm.ts";
import { readsOf } from "./kysely.ts";
import { type Page, toPage } from "./pagination.ts";
import { isoTimestamp, type RawTimestamp, storedDate } from "./timestamps.ts";

export type ChangeEntity = "user" | "item";
export type ChangeOp = "create" | "update" | "delete";
/** An update's changed fields, each as `[before, after]`. */
export type FieldChanges = Record<string, [unknown, unknown]>;

/** A change as a repository reports it, before it has an id. */
export type NewChange = {
  entity: ChangeEntity;
  entityId: number;
  /** Whose account the record belongs to: who may read the change. */
  ownerId: number;
  op: ChangeOp;
  version?: number | null | undefined;
  fields?: FieldChanges | null | undefined;
};

export type ChangeView = {
  id: number;
  /** ISO-8601, as the API shows it (timestamps.ts). */
  at: string;
  actorId: number | null;
  entity: ChangeEntity;
  entityId: number;
  ownerId: number;
  op: ChangeOp;
  version: number | null;
  fields: FieldChanges | null;
};

// Who acts in a transaction: set by the unit of work, read when its changes are recorded.
const actors = new WeakMap<EntityManager, number | null>();

/** The signed-in caller whose call runs in `em`'s transaction (null: anonymous, or start-up). */
export function actAs(em: EntityManager, actorId: number | null): void {
  actors.set(em, actorId);
}

/**
 * Records the changes of one call in its transaction. Their ids are taken from the change head,
 * whose row this update locks until the transaction ends: a second writer waits here, so ids
 * are taken in the order transactions commit, and a reader that has seen id N has seen every id
 * below it (docs/live-data.md). Nothing is recorded if the call rolls back, ids included.
 */
export async function recordChanges(em: EntityManager, changes: readonly NewChange[]): Promise<void> {
  if (changes.length === 0) return;
  const db = readsOf(em);
  const statements = statementsOf(em);
  let lastId: number;
  if (statements.selectHead) {
    // MariaDB: no UPDATE … RETURNING; the row stays locked for the select that follows.
    await db.executeQuery({ ...statements.takeIds, parameters: [changes.length, 1] });
    lastId = (await db.executeQuery<{ last_id: number }>(statements.selectHead)).rows[0]?.last_id ?? 0;
  } else {
    // On PostgreSQL it also NOTIFYs the servers' change feeds, delivered when this transaction commits.
    const taken = await db.executeQuery<{ last_id: number }>({
      ...statements.takeIds,
      parameters: [changes.length, 1],
    });
    lastId = taken.rows[0]?.last_id ?? 0;
  }
  if (lastId < changes.length) throw new Error("the change head is missing: run the migrations");
  const first = lastId - changes.length + 1;
  const at = storedDate(em, new Date());
  const actorId = actors.get(em) ?? null;
  const rows = changes.map((change, i) => ({
    id: first + i,
    at,
    actor_id: actorId,
    entity: change.entity,
    entity_id: change.entityId,
    owner_id: change.ownerId,
    op: change.op,
    version: change.version ?? null,
    fields: change.fields ? JSON.stringify(change.fields) : null,
  }));
  const [only] = rows;
  if (rows.length === 1 && only) {
    // Almost every call records one change: its INSERT is compiled once, its values bound here.
    await db.executeQuery({ ...statements.insertOne, parameters: Object.values(only) });
  } else {
    await db.insertInto("changes").values(rows).execute();
  }
}

type ChangeStatements = {
  /** `update change_head set last_id = last_id + $1 where id = $2` (returning last_id where it can). */
  takeIds: CompiledQuery;
  /** Where the update cannot return: `select last_id from change_head where id = 1`. */
  selectHead: CompiledQuery | undefined;
  /** One change row, its values bound in the order of `recordChanges`' row object. */
  insertOne: CompiledQuery;
};

// Compiled once per ORM (its dialect), then run with each call's values: every write records its
// change, and building and compiling these statements each time was 10% of a create's CPU in a
// profile under load, as it was for the caller lookup (sessions.ts).
const compiledStatements = new WeakMap<object, ChangeStatements>();

function statementsOf(em: EntityManager): ChangeStatements {
  const key = em.getPlatform();
  let statements = compiledStatements.get(key);
  if (!statements) {
    const db = readsOf(em);
    const take = db
      .updateTable("change_head")
      .set((eb) => ({ last_id: eb("last_id", "+", 1) }))
      .where("id", "=", 1);
    const returning = em.getPlatform().usesReturningStatement();
    const takeIds = !returning
      ? take.compile()
      : isPostgreSql(em)
        ? take.returning(["last_id", sql<string>`pg_notify('changes', '')`.as("notified")]).compile()
        : take.returning("last_id").compile();
    // Placeholders of every column's type, never null, so that each becomes a bound parameter.
    const insertOne = db
      .insertInto("changes")
      .values({
        id: 0,
        at: storedDate(em, new Date(0)),
        actor_id: 0,
        entity: "",
        entity_id: 0,
        owner_id: 0,
        op: "",
        version: 0,
        fields: "",
      })
      .compile();
    if (takeIds.parameters.length !== 2 || insertOne.parameters.length !== 9) {
      throw new Error("the change log's statements did not compile to the expected parameters");
    }
    statements = {
      takeIds,
      selectHead: returning
        ? undefined
        : db.selectFrom("change_head").select("last_id").where("id", "=", 1).compile(),
      insertOne,
    };
    compiledStatements.set(key, statements);
  }
  return statements;
}

export type ChangeQuery = {
  after?: number | null | undefined;
  limit: number;
  entity?: ChangeEntity | undefined;
  entityId?: number | undefined;
  /** Only the changes to this account's records (a user's view); all when undefined (an admin's). */
  ownerId?: number | undefined;
};

/** A page of changes in id order (the history), filtered. */
export async function listChanges(em: EntityManager, query: ChangeQuery): Promise<Page<ChangeView>> {
  let select = readsOf(em)
    .selectFrom("changes")
    .selectAll()
    .where("id", ">", query.after ?? 0)
    .orderBy("id")
    .limit(query.limit + 1);
  if (query.ownerId !== undefined) select = select.where("owner_id", "=", query.ownerId);
  if (query.entity !== undefined) select = select.where("entity", "=", query.entity);
  if (query.entityId !== undefined) select = select.where("entity_id", "=", query.entityId);
  return toPage((await select.execute()).map(toChangeView), query.limit);
}

/** The head: the last id handed out, and the last id pruned (resuming before it would skip changes). */
export async function changeHead(em: EntityManager): Promise<{ lastId: number; prunedThrough: number }> {
  const row = await readsOf(em)
    .selectFrom("change_head")
    .select(["last_id", "pruned_through"])
    .where("id", "=", 1)
    .executeTakeFirstOrThrow();
  return { lastId: row.last_id, prunedThrough: row.pruned_through };
}

/**
 * Deletes up to `batch` changes older than `before`, oldest first, and moves the head's
 * `pruned_through` past them, in one short transaction: writers wait on the head's row for one
 * batch at most. Returns how many it deleted (fewer than `batch`: nothing older is left).
 */
export async function pruneChanges(em: EntityManager, before: Date, batch: number): Promise<number> {
  return em.fork().transactional(async (trx) => {
    const db = readsOf(trx);
    const old = await db
      .selectFrom("changes")
      .select("id")
      .where("at", "<", storedDate(trx, before))
      .orderBy("id")
      .limit(batch)
      .execute();
    const last = old.at(-1)?.id;
    if (last === undefined) return 0;
    await db.deleteFrom("changes").where("id", "<=", last).execute();
    await db
      .updateTable("change_head")
      // Oldest first, so `last` is past every id pruned before.
      .set({ pruned_through: last })
      .where("id", "=", 1)
      .execute();
    return old.length;
  });
}

type ChangeRow = {
  id: number;
  at: RawTimestamp;
  actor_id: number | null;
  entity: string;
  entity_id: number;
  owner_id: number;
  op: string;
  version: number | null;
  fields: string | null;
};

function toChangeView(row: ChangeRow): ChangeView {
  return {
    id: row.id,
    at: isoTimestamp(row.at),
    actorId: row.actor_id,
    entity: row.entity === "item" ? "item" : "user",
    entityId: row.entity_id,
    ownerId: row.owner_id,
    op: row.op === "create" ? "create" : row.op === "delete" ? "delete" : "update",
    version: row.version,
    fields: row.fields === null ? null : (JSON.parse(row.fields) as FieldChanges),
  };
}

function isPostgreSql(em: EntityManager): boolean {
  return dialectOf(em) === "postgresql";
}

/**
 * Calls `onWake` when another process commits changes, where the database can say so
 * (PostgreSQL's LISTEN/NOTIFY); elsewhere it does nothing, and the feed's timer is the wake-up.
 * Returns a function that stops listening.
 */
export async function listen(orm: Orm, onWake: () => void): Promise<() => Promise<void>> {
  const url = orm.config.get("clientUrl");
  if (orm.dialect !== "postgresql" || !url) return async () => {};
  const { listenForChanges } = await import("../dialects/postgresql-listen.ts");
  return listenForChanges(url, onWake);
}
