import { z } from "zod";
import { cursor, id, limit, pageOf, storableText, timestamp } from "./common.ts";
import { itemOutput } from "./item.ts";

export const userName = storableText.trim().min(1).max(100);
/** Trimmed and lower-cased before it is checked, so `" Ann@Example.COM "` is `"ann@example.com"`. */
export const userEmail = z.string().trim().toLowerCase().max(254).check(z.email());
export const userVersion = z.number().int().positive();

export const userOutput = z.object({
  id,
  name: z.string(),
  email: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  version: userVersion,
  items: z.array(itemOutput).optional(),
});
export type UserOutput = z.infer<typeof userOutput>;

export const createUserInput = z.object({ name: userName, email: userEmail });
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
    /** The version the caller last saw; a different current version is a CONFLICT. */
    version: userVersion.optional(),
  })
  .refine((input) => input.name !== undefined || input.email !== undefined, {
    message: "Give at least one of name or email to change",
  });
export type UpdateUserInput = z.input<typeof updateUserInput>;
