import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { User } from "./user.ts";

/** A long-lived credential for scripts and the CLI, named by its owner; stored as a SHA-256 only. */
export const ApiToken = defineEntity({
  name: "ApiToken",
  tableName: "api_tokens",
  properties: {
    id: p.integer().primary(),
    // Deleting an account revokes its tokens, in the same statement.
    user: () => p.manyToOne(User).deleteRule("cascade").index(),
    name: p.string().length(100),
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().length(3),
    expiresAt: p.datetime().length(3).nullable(),
    lastUsedAt: p.datetime().length(3).nullable(),
  },
});

export type ApiToken = InferEntity<typeof ApiToken>;
