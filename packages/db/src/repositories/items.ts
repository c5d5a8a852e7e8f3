import { type EntityManager, ForeignKeyConstraintViolationException } from "@mikro-orm/sql";
import { Item } from "../entities/item.ts";
import { RecordNotFoundError } from "../errors.ts";
import { type ItemView, itemView } from "../views.ts";
import { insertItem } from "./inserts.ts";
import { type Page, type PageQuery, toPage } from "./pagination.ts";
import { readsOf, selectItems, selectItemsById, userExists } from "./reads.ts";

export type ItemFields = { userId: number; title: string; description?: string | null | undefined };
export type ItemListQuery = PageQuery & { userId?: number | undefined };
export type ItemChanges = { id: number; title?: string | undefined; description?: string | null | undefined };

/** Adds an item to a user; RecordNotFoundError when the user does not exist. */
export async function createItem(em: EntityManager, fields: ItemFields): Promise<ItemView> {
  try {
    return await insertItem(em, {
      ownerId: fields.userId,
      title: fields.title,
      description: fields.description ?? null,
    });
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
  const rows = await selectItems(db, {
    cursor: query.cursor ?? 0,
    limit: query.limit + 1,
    ownerId: query.userId,
  });
  // An empty page may mean "no such user": only then is it worth a second query to tell.
  if (rows.length === 0 && query.userId !== undefined && !(await userExists(db, query.userId))) {
    throw RecordNotFoundError.user(query.userId);
  }
  return toPage(rows, query.limit);
}

/** The items with the given ids, keyed by id: one query whatever the number. Missing ids are absent. */
export async function getItems(em: EntityManager, ids: readonly number[]): Promise<Map<number, ItemView>> {
  return new Map((await selectItemsById(readsOf(em), ids)).map((item) => [item.id, item]));
}

/** Changes an item's title and/or description (null clears the description). */
export async function updateItem(em: EntityManager, changes: ItemChanges): Promise<ItemView> {
  const item = await em.findOne(Item, { id: changes.id });
  if (!item) throw RecordNotFoundError.item(changes.id);
  if (changes.title !== undefined) item.title = changes.title;
  if (changes.description !== undefined) item.description = changes.description;
  await em.flush();
  return itemView(item);
}

/** Deletes an item; RecordNotFoundError when missing. */
export async function deleteItem(em: EntityManager, id: number): Promise<void> {
  const deleted = await em.nativeDelete(Item, { id });
  if (deleted === 0) throw RecordNotFoundError.item(id);
}
