import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Item } from "./item.ts";

/** What an account may do: a user works with their own account and items, an admin with all. */
export const roles = ["user", "admin"] as const;
export type Role = (typeof roles)[number];

/** A person who owns items and signs in. `email` is stored trimmed and lower-cased, so the unique index is case-insensitive. */
export const User = defineEntity({
  name: "User",
  tableName: "users",
  properties: {
    id: p.integer().primary(),
    name: p.string().length(100),
    email: p.string().length(254).unique(),
    role: p.enum(roles).default("user"),
    // An argon2id PHC string; null for an account an admin created without one (it cannot sign
    // in until an admin sets one). Never selected by the repositories' reads, never output.
    passwordHash: p.string().length(255).nullable().hidden().lazy(),
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
    // Optimistic lock: every flushed update increments it, and a stale expected value is a conflict.
    version: p.integer().version(),
    items: () => p.oneToMany(Item).mappedBy("owner").orderBy({ id: "asc" }),
  },
});

export type User = InferEntity<typeof User>;
