import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * A failed sign-in, kept in the database so that every server process counts the same failures:
 * the throttle looks at the recent ones for an email and for a client address.
 */
export const SignInAttempt = defineEntity({
  name: "SignInAttempt",
  tableName: "sign_in_attempts",
  indexes: [{ properties: ["email", "at"] }, { properties: ["ip", "at"] }],
  properties: {
    id: p.integer().primary(),
    email: p.string().length(254),
    ip: p.string().length(45),
    at: p.datetime().length(3),
  },
});

export type SignInAttempt = InferEntity<typeof SignInAttempt>;
