import { z } from "zod";

/**
 * The largest integer every database stores in an id, foreign-key, version or change-id column:
 * PostgreSQL's `int` and MariaDB's signed `int` are 32-bit (see packages/db/src/migrations). A
 * larger number reached PostgreSQL and MariaDB, which refused it with a 500 (issue 17).
 */
export const maxDatabaseInt = 2_147_483_647;

/**
 * An integer from `min` to `max` (within what every database stores), with one clear message per
 * mistake. `z.int32()` checks the type and the 32-bit range in one step, but its own messages name
 * ±2^53 for huge numbers and -2^31 for negative ones: its range issues are said as this field's
 * bounds instead, and `abort` stops there rather than repeating them from `.min()` and `.max()`.
 */
export function integerBetween(min: number, max: number) {
  const tooSmall = `Must be at least ${min}`;
  const tooBig = `Must be at most ${max}`;
  const from = z
    .int32({
      abort: true,
      error: (issue) =>
        issue.code === "too_big" ? tooBig : issue.code === "too_small" ? tooSmall : undefined,
    })
    .min(min, tooSmall);
  // `z.int32()` already stops at maxDatabaseInt (and says so in JSON Schema): no second check for it.
  return max < maxDatabaseInt ? from.max(max, tooBig) : from;
}

/** A database id: 1 to 2147483647. Also any reference to one (`userId`, `ownerId`, `entityId`). */
export const id = integerBetween(1, maxDatabaseInt);

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
export const limit = integerBetween(1, 100).default(20);

/** Keyset cursor: the last id of the previous page; absent (or null) for the first page. */
export const cursor = id.nullish();

/** Builds the `{ items, nextCursor }` page envelope around an item schema. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: id.nullable() });
}

/** `{ id }`: the input of byId and delete procedures, and the output of deletes. */
export const byIdInput = z.object({ id });
export const deletedOutput = z.object({ id });
