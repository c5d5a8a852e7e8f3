import { type EntityManager, ForeignKeyConstraintViolationException } from "@mikro-orm/sql";
import { Item } from "../entities/item.ts";
import { RecordNotFoundError } from "../errors.ts";
import { readByIds } from "./by-ids.ts";
import { type FieldChanges, recordChanges } from "./changes.ts";
import { insertRow } from "./insert-row.ts";
import { type Reads, type Row, readsOf } from "./kysely.ts";
import { type Page, type PageQuery, toPage } from "./pagination.ts";
import { isoTimestamp, toIsoTimestamp } from "./timestamps.ts";

/**
 * An item as the repositories hand it out, as the API shows it: plain data, the owner as its id,
 * timestamps ISO-8601 strings.
 */
export type ItemView = Pick<Item, "id" | "title"> & {
  description: string | null;
  ownerId: number;
  createdAt: string;
  updatedAt: string;
};

export type ItemFields = { userId: number; title: string; description?: string | null | undefined };
export type ItemListQuery = PageQuery & { userId?: number | undefined };
export type ItemChanges = { id: number; title?: string | undefined; description?: string | null | undefined };

/** Adds an item to a user; RecordNotFoundError when the user does not exist. */
export async function createItem(em: EntityManager, fields: ItemFields): Promise<ItemView> {
  try {
    const record = { owner: fields.userId, title: fields.title, description: fields.description ?? null };
    const item = toItemView(await insertRow(em, Item, record));
    await recordChanges(em, [{ entity: "item", entityId: item.id, ownerId: item.ownerId, op: "create" }]);
    return item;
  } catch (error) {
    // The foreign key is the existence check: one INSERT instead of a SELECT and an INSERT.
    if (error instanceof ForeignKeyConstraintViolationException)
      throw RecordNotFoundError.user(fields.userId);
    throw error;
  }
}

/** One keyset page of items ordered by id, optionally of one user (RecordNotFoundError if that user is missing). */
export async function listItems(em: EntityManager, query: ItemListQuery): Promise<Page<ItemView>> {
  const db = readsOf(em);
  let select = selectItems(db)
    .where("id", ">", query.cursor ?? 0)
    .orderBy("id")
    .limit(query.limit + 1);
  if (query.userId !== undefined) select = select.where("owner_id", "=", query.userId);
  const rows = (await select.execute()).map(toItemView);
  // An empty page may mean "no such user": only then is it worth a second query to tell.
  if (rows.length === 0 && query.userId !== undefined && !(await ownerExists(db, query.userId))) {
    throw RecordNotFoundError.user(query.userId);
  }
  return toPage(rows, query.limit);
}

/** The items with the given ids, keyed by id: one query whatever the number. Missing ids are absent. */
export async function getItems(em: EntityManager, ids: readonly number[]): Promise<Map<number, ItemView>> {
  if (ids.length === 0) return new Map();
  const rows = await selectItemsByIds(em, [...new Set(ids)]);
  return new Map(rows.map((row) => [row.id, toItemView(row)]));
}

/** The items of the given users, by user then id: one query whatever the number of users. */
export async function getItemsOfUsers(em: EntityManager, userIds: readonly number[]): Promise<ItemView[]> {
  if (userIds.length === 0) return [];
  return (await selectItemsByOwners(em, userIds)).map(toItemView);
}

/** Changes an item's title and/or description (null clears the description). */
export async function updateItem(em: EntityManager, changes: ItemChanges): Promise<ItemView> {
  const item = await em.findOne(Item, { id: changes.id });
  if (!item) throw RecordNotFoundError.item(changes.id);
  const before = { title: item.title, description: item.description ?? null };
  if (changes.title !== undefined) item.title = changes.title;
  if (changes.description !== undefined) item.description = changes.description;
  await em.flush();
  const view = itemView(item);
  const changed: FieldChanges = {};
  if (view.title !== before.title) changed.title = [before.title, view.title];
  if (view.description !== before.description) changed.description = [before.description, view.description];
  if (Object.keys(changed).length > 0) {
    await recordChanges(em, [
      { entity: "item", entityId: view.id, ownerId: view.ownerId, op: "update", fields: changed },
    ]);
  }
  return view;
}

/** Deletes an item; RecordNotFoundError when missing. */
export async function deleteItem(em: EntityManager, id: number): Promise<void> {
  const found = await readsOf(em)
    .selectFrom("items")
    .select("owner_id")
    .where("id", "=", id)
    .executeTakeFirst();
  if (!found) throw RecordNotFoundError.item(id);
  const deleted = await em.nativeDelete(Item, { id });
  if (deleted === 0) throw RecordNotFoundError.item(id);
  await recordChanges(em, [{ entity: "item", entityId: id, ownerId: found.owner_id, op: "delete" }]);
}

/** The view of a managed Item entity, after a write. */
function itemView(item: Item): ItemView {
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? null,
    ownerId: item.owner.id,
    createdAt: toIsoTimestamp(item.createdAt),
    updatedAt: toIsoTimestamp(item.updatedAt),
  };
}

function selectItems(db: Reads) {
  return db
    .selectFrom("items")
    .select(["id", "title", "description", "owner_id", "created_at", "updated_at"]);
}

const selectItemsByIds = readByIds((db, ids) => selectItems(db).where("id", "in", ids));
const selectItemsByOwners = readByIds((db, ids) =>
  selectItems(db).where("owner_id", "in", ids).orderBy("owner_id").orderBy("id"),
);

function toItemView(row: Row<"items">): ItemView {
  // Most items never changed: one conversion serves both timestamps.
  const createdAt = isoTimestamp(row.created_at);
  return {
    id: row.id,
    title: row.title,
    description: row.description ?? null,
    ownerId: row.owner_id,
    createdAt,
    updatedAt: row.updated_at === row.created_at ? createdAt : isoTimestamp(row.updated_at),
  };
}

async function ownerExists(db: Reads, userId: number): Promise<boolean> {
  return (
    (await db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst()) !== undefined
  );
}
