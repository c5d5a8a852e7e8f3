import { z } from "zod";
import { id, integerBetween, storableText, timestamp } from "./common.ts";
import { password, userEmail, userName, userOutput } from "./user.ts";

/** A password as typed at sign-in: any text, but unpaired surrogates (they would hash as U+FFFD). */
const wellFormed = z
  .string()
  .refine((s) => s.isWellFormed(), { message: "Must not contain unpaired UTF-16 surrogates" });

export const signUpInput = z.object({ name: userName, email: userEmail, password });
export type SignUpInput = z.input<typeof signUpInput>;

/** Any password up to the maximum: a sign-in never says which rule a wrong one breaks. */
export const signInInput = z.object({ email: userEmail, password: wellFormed.min(1).max(128) });
export type SignInInput = z.input<typeof signInInput>;

/** The account and its new session's token (also set as the session cookie). */
export const sessionOutput = z.object({ user: userOutput, token: z.string() });
export type SessionOutput = z.infer<typeof sessionOutput>;

export const changePasswordInput = z.object({
  currentPassword: wellFormed.min(1).max(128),
  newPassword: password,
});
export type ChangePasswordInput = z.input<typeof changePasswordInput>;

export const signedOutOutput = z.object({ signedOut: z.literal(true) });
export const passwordChangedOutput = z.object({ changed: z.literal(true) });

/** Stored as sent, so only text every database stores (no NUL, no unpaired surrogate). */
export const apiTokenName = storableText.trim().min(1).max(100);

export const createApiTokenInput = z.object({
  name: apiTokenName,
  /** Days until it stops working; it never expires when left out. */
  expiresInDays: integerBetween(1, 3650).optional(),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenInput>;

/** A token as listed: never its secret, which the server does not keep. */
export const apiTokenOutput = z.object({
  id,
  name: z.string(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
});
export type ApiTokenOutput = z.infer<typeof apiTokenOutput>;

/** A new token with its secret, shown this once. */
export const createdApiTokenOutput = apiTokenOutput.omit({ lastUsedAt: true }).extend({ token: z.string() });
export type CreatedApiTokenOutput = z.infer<typeof createdApiTokenOutput>;

export const apiTokenList = z.object({ items: z.array(apiTokenOutput) });
