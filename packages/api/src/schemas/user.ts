import { z } from "zod";
import {
  cursor,
  id,
  integerBetween,
  limit,
  maxDatabaseInt,
  pageOf,
  storableText,
  timestamp,
} from "./common.ts";
import { itemOutput } from "./item.ts";

export const userName = storableText.trim().min(1).max(100);
/** Trimmed and lower-cased before it is checked, so `" Ann@Example.COM "` is `"ann@example.com"`. */
export const userEmail = z.string().trim().toLowerCase().max(254).check(z.email());
/** Counts the account's changes from 1, in a column as wide as an id's. */
export const userVersion = integerBetween(1, maxDatabaseInt);
/** What an account may do: its own account and items ("user"), or everything ("admin"). */
export const userRole = z.enum(["user", "admin"]);
export type UserRole = z.infer<typeof userRole>;
/**
 * 8 to 128 characters, taken as typed (no trimming: spaces are part of a passphrase). The upper
 * bound keeps a sign-in from hashing megabytes.
 */
export const password = z
  .string()
  .min(8, { message: "Use at least 8 characters" })
  .max(128, { message: "Use at most 128 characters" })
  // Hashed as UTF-8, where every unpaired surrogate becomes U+FFFD: two different passwords would match.
  .refine((s) => s.isWellFormed(), { message: "Must not contain unpaired UTF-16 surrogates" });

export const userOutput = z.object({
  id,
  name: z.string(),
  email: z.string(),
  role: userRole,
  createdAt: timestamp,
  updatedAt: timestamp,
  version: userVersion,
  items: z.array(itemOutput).optional(),
});
export type UserOutput = z.infer<typeof userOutput>;

/** An admin creating an account: a role of "user" and no password (it cannot sign in) unless given. */
export const createUserInput = z.object({
  name: userName,
  email: userEmail,
  role: userRole.optional(),
  password: password.optional(),
});
export type CreateUserInput = z.input<typeof createUserInput>;

export const listUsersInput = z
  .object({
    limit,
    cursor,
    /** Matches name or email, case-insensitively. */
    search: storableText.trim().max(254).optional(),
    withItems: z.boolean().default(false),
  })
  .prefault({});
export type ListUsersInput = z.input<typeof listUsersInput>;

export const userPage = pageOf(userOutput);

export const updateUserInput = z
  .object({
    id,
    name: userName.optional(),
    email: userEmail.optional(),
    /** Admins only. */
    role: userRole.optional(),
    /** Admins only: sets the account's password (a user changes their own with auth.changePassword). */
    password: password.optional(),
    /** The version the caller last saw; a different current version is a CONFLICT. */
    version: userVersion.optional(),
  })
  .refine(
    (input) =>
      input.name !== undefined ||
      input.email !== undefined ||
      input.role !== undefined ||
      input.password !== undefined,
    { message: "Give at least one of name, email, role or password to change" },
  );
export type UpdateUserInput = z.input<typeof updateUserInput>;
