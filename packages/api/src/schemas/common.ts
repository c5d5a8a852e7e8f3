import { z } from "zod";

/**
 * A database id: a positive integer. `z.int()` is a safe integer: the same JSON Schema and
 * messages as `z.number().int().max(Number.MAX_SAFE_INTEGER)`, with one check fewer per id.
 */
export const id = z.int().positive();

/**
 * A string every database stores as sent. NUL is refused because PostgreSQL rejects it and SQLite
 * ends the statement there (both were a 500); an unpaired UTF-16 surrogate because every driver
 * silently stores U+FFFD in its place. Found by apps/server/test/fuzz-inputs.test.ts.
 */
export const storableText = z
  .string()
  .refine((s) => !s.includes("\u0000"), { message: "Must not contain NUL characters" })
  .refine((s) => s.isWellFormed(), { message: "Must not contain unpaired UTF-16 surrogates" });

/** ISO-8601 timestamps, as every output carries them. */
export const timestamp = z.iso.datetime();

/** Page size: 1..100, 20 when omitted. */
export const limit = z.number().int().min(1).max(100).default(20);

/** Keyset cursor: the last id of the previous page; absent (or null) for the first page. */
export const cursor = id.nullish();

/** Builds the `{ items, nextCursor }` page envelope around an item schema. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: id.nullable() });
}

/** `{ id }`: the input of byId and delete procedures, and the output of deletes. */
export const byIdInput = z.object({ id });
export const deletedOutput = z.object({ id });
