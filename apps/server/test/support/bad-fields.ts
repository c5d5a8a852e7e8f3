import fc from "fast-check";
import { badNumber, notANumber, notAString, oddString } from "./hostile-values.ts";
import { type ProcedureSpec, procedures } from "./raw-calls.ts";

/**
 * A string longer than `max` code points (zod's measure) after trimming, since the `x`s at both
 * ends stay, and up to `longest`: an odd piece repeated, so that huge strings cost nothing to generate.
 */
function tooLong(max: number, longest: number) {
  return fc
    .tuple(oddString({ minLength: 1, maxLength: 20 }), fc.integer({ min: max, max: longest }))
    .map(([piece, length]) => {
      const codePoints = Array.from(piece);
      const repeated = Array.from({ length }, (_, i) => codePoints[i % codePoints.length]);
      return `x${repeated.join("")}x`;
    });
}

/** Text with a NUL or an unpaired surrogate inside, which no database stores as sent. */
const unstorable = fc
  .tuple(
    oddString({ maxLength: 20 }),
    fc.constantFrom("\u0000", "\ud800", "\udfff"),
    oddString({ maxLength: 20 }),
  )
  // The x on each side keeps the surrogate unpaired whatever its neighbours are.
  .map(([before, bad, after]) => `x${before}x${bad}x${after}`);

/** Whitespace alone, which trims to the empty string. */
const blank = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r", "\u3000", "\ufeff", "\u00a0") });

/**
 * For each kind of field, values it must refuse: wrong types, out-of-range numbers, blank and
 * huge strings. Huge strings go only into request bodies (up to about 600 kB of JSON, under the
 * 1 MB limit); a query's input travels in the URL, so `search` stays far below the 16 kB header limit.
 */
const badValues = {
  id: fc.oneof(badNumber, notANumber, fc.constant(null)),
  cursor: fc.oneof(badNumber, notANumber),
  /** A change id to start after: 0 is the beginning, null or nothing the same. */
  after: fc.oneof(
    badNumber.filter((n) => n !== 0),
    notANumber,
  ),
  limit: fc.oneof(badNumber, fc.integer({ min: 101 }), notANumber, fc.constant(null)),
  version: fc.oneof(badNumber, notANumber, fc.constant(null)),
  name: fc.oneof(notAString, fc.constant(null), blank, unstorable, tooLong(100, 100_000)),
  email: fc.oneof(
    notAString,
    fc.constant(null),
    blank,
    oddString({ maxLength: 300 }).filter((s) => !s.includes("@")),
    tooLong(254, 2_000).map((s) => `${s}@example.com`),
  ),
  title: fc.oneof(notAString, fc.constant(null), blank, unstorable, tooLong(200, 100_000)),
  description: fc.oneof(notAString, unstorable, tooLong(2000, 100_000)),
  search: fc.oneof(notAString, fc.constant(null), unstorable, tooLong(254, 600)),
  role: fc.oneof(
    notAString,
    fc.constant(null),
    fc.constantFrom("", "Admin", "ADMIN", " admin", "user ", "root", "owner"),
    oddString({ maxLength: 10 }).filter((s) => s !== "user" && s !== "admin"),
  ),
  /** A new password: 8 to 128 characters, taken as typed (blank ones of that length are valid). */
  password: fc.oneof(notAString, fc.constant(null), fc.string({ maxLength: 7 }), tooLong(128, 2_000)),
  /** A password to check (sign-in, the current one): anything from 1 to 128 characters. */
  givenPassword: fc.oneof(notAString, fc.constant(null), fc.constant(""), tooLong(128, 2_000)),
  tokenName: fc.oneof(notAString, fc.constant(null), blank, unstorable, tooLong(100, 100_000)),
  days: fc.oneof(badNumber, fc.integer({ min: 3651 }), notANumber, fc.constant(null)),
  entity: fc.oneof(
    notAString,
    fc.constant(null),
    fc.constantFrom("", "User", "items", "change"),
    oddString({ maxLength: 10 }).filter((s) => s !== "user" && s !== "item"),
  ),
  withItems: fc.oneof(
    fc.constantFrom("true", 1, 0, null),
    notANumber.filter((v) => typeof v !== "boolean"),
  ),
};
type FieldKind = keyof typeof badValues;

/** The kinds of field that hold a number. */
export const numberKinds: ReadonlySet<FieldKind> = new Set([
  "id",
  "cursor",
  "after",
  "limit",
  "version",
  "days",
]);

/** A valid input for each procedure, and which of its fields to spoil (and how). */
export const validInputs: Record<
  string,
  { input: Record<string, unknown>; fields: Record<string, FieldKind> }
> = {
  "users.create": {
    input: { name: "Ann", email: "ann@example.com", role: "user", password: "a long password" },
    fields: { name: "name", email: "email", role: "role", password: "password" },
  },
  "users.list": {
    input: { limit: 10, search: "ann", withItems: true },
    fields: { limit: "limit", cursor: "cursor", search: "search", withItems: "withItems" },
  },
  "users.byId": { input: { id: 1 }, fields: { id: "id" } },
  "users.update": {
    input: {
      id: 1,
      name: "Ann",
      email: "ann@example.com",
      role: "admin",
      password: "a long password",
      version: 1,
    },
    fields: {
      id: "id",
      name: "name",
      email: "email",
      role: "role",
      password: "password",
      version: "version",
    },
  },
  "users.delete": { input: { id: 1 }, fields: { id: "id" } },
  "items.create": {
    input: { userId: 1, title: "Notebook", description: "A5" },
    fields: { userId: "id", title: "title", description: "description" },
  },
  "items.list": {
    input: { userId: 1, limit: 10 },
    fields: { userId: "id", limit: "limit", cursor: "cursor" },
  },
  "items.byId": { input: { id: 1 }, fields: { id: "id" } },
  "items.update": {
    input: { id: 1, title: "Notebook", description: "A5" },
    fields: { id: "id", title: "title", description: "description" },
  },
  "items.delete": { input: { id: 1 }, fields: { id: "id" } },
  "auth.signUp": {
    input: { name: "Ann", email: "ann@example.com", password: "a long password" },
    fields: { name: "name", email: "email", password: "password" },
  },
  "auth.signIn": {
    input: { email: "ann@example.com", password: "a long password" },
    fields: { email: "email", password: "givenPassword" },
  },
  "auth.changePassword": {
    input: { currentPassword: "the old password", newPassword: "a new password" },
    fields: { currentPassword: "givenPassword", newPassword: "password" },
  },
  "auth.tokens.create": {
    input: { name: "backup script", expiresInDays: 30 },
    fields: { name: "tokenName", expiresInDays: "days" },
  },
  "auth.tokens.revoke": { input: { id: 1 }, fields: { id: "id" } },
  "changes.list": {
    input: { after: 0, entity: "user", entityId: 1, ownerId: 1, limit: 10 },
    fields: { after: "after", entity: "entity", entityId: "id", ownerId: "id", limit: "limit" },
  },
};

export type SpoiledCall = { procedure: ProcedureSpec; field: string; payload: Record<string, unknown> };

/** A valid input with exactly one field replaced by a value that field must refuse. */
export const spoiledCall: fc.Arbitrary<SpoiledCall> = fc.oneof(
  ...procedures.flatMap((procedure) => {
    const valid = validInputs[procedure.path];
    if (!valid) return [];
    return Object.entries(valid.fields).map(([field, kind]) =>
      badValues[kind].map((value) => ({ procedure, field, payload: { ...valid.input, [field]: value } })),
    );
  }),
);
