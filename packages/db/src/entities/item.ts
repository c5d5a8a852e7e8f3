import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { User } from "./user.ts";

/** Something a user owns; it is deleted with its owner. */
export const Item = defineEntity({
  name: "Item",
  tableName: "items",
  properties: {
    id: p.integer().primary(),
    title: p.string().length(200),
    description: p.string().length(2000).nullable(),
    // MikroORM 7 no longer derives the foreign-key rule from `cascade`: say it, so the database
    // itself removes a user's items, in the same statement as the user.
    owner: () => p.manyToOne(User).deleteRule("cascade").index(),
    createdAt: p
      .datetime()
      .length(3)
      .onCreate(() => new Date()),
    // A new record's updatedAt is its createdAt, one instant (onCreate hooks run in property order).
    updatedAt: p
      .datetime()
      .length(3)
      .onCreate((record: { createdAt: Date }) => record.createdAt)
      .onUpdate(() => new Date()),
  },
});

export type Item = InferEntity<typeof Item>;
