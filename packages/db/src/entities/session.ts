import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { User } from "./user.ts";

/**
 * A signed-in browser or client. Only the SHA-256 of its token is stored, so the database never
 * holds a usable credential; it expires `expiresAt`, which moves forward as it is used.
 */
export const Session = defineEntity({
  name: "Session",
  tableName: "sessions",
  properties: {
    id: p.integer().primary(),
    // Deleting an account ends its sessions, in the same statement.
    user: () => p.manyToOne(User).deleteRule("cascade").index(),
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().length(3),
    lastUsedAt: p.datetime().length(3),
    expiresAt: p.datetime().length(3),
  },
});

export type Session = InferEntity<typeof Session>;
