import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * One committed change to one user or item: who, when, what, and for an update each changed
 * field's before and after (JSON). Ids are assigned under the change head's row lock in the
 * writing transaction (repositories/changes.ts), so they increase in commit order. No foreign
 * keys: the history outlives what it describes. `ownerId` is whose account the record belongs to
 * (the user itself, or the item's owner): who may read the change.
 */
export const Change = defineEntity({
  name: "Change",
  tableName: "changes",
  indexes: [{ properties: ["ownerId", "id"] }, { properties: ["entity", "entityId", "id"] }],
  properties: {
    id: p.integer().primary().autoincrement(false),
    at: p.datetime().length(3),
    actorId: p.integer().nullable(),
    entity: p.string().length(8),
    entityId: p.integer(),
    ownerId: p.integer(),
    op: p.string().length(8),
    version: p.integer().nullable(),
    fields: p.text().nullable(),
  },
});

export type Change = InferEntity<typeof Change>;

/**
 * The change log's head: one row (id 1) holding the last id handed out and the last id pruned.
 * A writing transaction locks it to take its ids, so ids are taken and committed in one order.
 */
export const ChangeHead = defineEntity({
  name: "ChangeHead",
  tableName: "change_head",
  properties: {
    id: p.integer().primary().autoincrement(false),
    lastId: p.integer(),
    prunedThrough: p.integer(),
  },
});

export type ChangeHead = InferEntity<typeof ChangeHead>;
