import { maxDatabaseInt } from "@app/api/schemas";
import fc from "fast-check";

/**
 * Pieces of text that have broken servers before: NUL and other control characters, lone UTF-16
 * surrogates, emoji and joined emoji, combining marks, bidi overrides, a byte-order mark, SQL
 * and LIKE fragments, markup, and the keys that poison prototypes.
 */
const fragments = [
  "\u0000",
  "\u0007",
  "\ud800",
  "\udfff",
  "😀",
  "👩‍👩‍👧‍👦",
  "e\u0301",
  "\u202e",
  "\ufeff",
  "\u3000",
  " ",
  "\t",
  "\n",
  "'",
  '"',
  "\\",
  "%",
  "_",
  "'; drop table users; --",
  "' or '1'='1",
  "</script><script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the point
  "${constructor}",
  "__proto__",
  "constructor",
];

/** One unit of an odd string: a known troublemaker, any code point, or any grapheme. */
export const oddUnit = fc.oneof(
  fc.constantFrom(...fragments),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
);

/** Strings made of odd units, up to `maxLength` units (a unit may be several characters). */
export function oddString(constraints: { minLength?: number; maxLength: number }) {
  return fc.string({ unit: oddUnit, ...constraints });
}

/** Odd strings that are still valid text: no NUL, no unpaired surrogate. */
export function oddStorableString(constraints: { minLength?: number; maxLength: number }) {
  const unit = oddUnit.filter((u) => !u.includes("\u0000") && u.isWellFormed());
  return fc.string({ unit, ...constraints });
}

/** Keys worth trying on any input object: every real field name and the prototype-poisoning ones. */
export const suspiciousKey = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "id",
    "userId",
    "name",
    "email",
    "title",
    "description",
    "version",
    "limit",
    "cursor",
    "search",
    "withItems",
    "after",
    "entity",
    "entityId",
    "ownerId",
    "lastEventId",
    "role",
    "password",
    "currentPassword",
    "newPassword",
    "expiresInDays",
  ),
  oddString({ maxLength: 8 }),
);

/**
 * Integers JSON carries that no database column stores: from 2147483648 up to 2^53, and the
 * doubles beyond (every double from 2^53 up is an integer), up to `Number.MAX_VALUE`.
 */
export const tooBigInteger = fc.oneof(
  fc.constantFrom(
    maxDatabaseInt + 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    1e21,
    1e308,
    Number.MAX_VALUE,
  ),
  fc.bigInt({ min: BigInt(maxDatabaseInt) + 1n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number),
  fc.double({ min: 2 ** 53, noNaN: true, noDefaultInfinity: true }),
);

/**
 * Any number JSON carries, drawn across its whole range: the edges of what a database stores,
 * 32-bit and safe integers, integers too big for any column (and their negatives), and any
 * double (fractions, -0, 1e-300, 1.7e308). NaN and Infinity are left out: JSON writes them as null.
 */
export const anyJsonNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, maxDatabaseInt, maxDatabaseInt + 1, -maxDatabaseInt - 1),
  fc.integer(),
  tooBigInteger,
  tooBigInteger.map((n) => -n),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** JSON values of every shape, with odd strings and numbers from anywhere in JSON's range inside. */
export const anyJson = fc.anything({
  key: fc.string({ unit: oddUnit }),
  values: [fc.boolean(), anyJsonNumber, fc.string({ unit: oddUnit }), fc.constant(null)],
  maxDepth: 3,
});

/**
 * Objects whose keys are real field names or poisonous ones, built with Object.fromEntries so
 * that `__proto__` is an own key and really goes over the wire.
 */
export const hostileObject = fc
  .array(fc.tuple(suspiciousKey, fc.oneof(anyJson, anyJsonNumber, oddString({ maxLength: 30 }))), {
    maxLength: 6,
  })
  .map((entries) => Object.fromEntries(entries));

/**
 * Numbers that no id, limit or version accepts: zero, negatives, fractions, integers above
 * 2147483647 (what every database stores) up to `Number.MAX_VALUE`, and their negatives.
 */
export const badNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, 1.5, Number.MAX_SAFE_INTEGER + 1, 1e300, -1e300, Number.MIN_VALUE),
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  tooBigInteger,
  tooBigInteger.map((n) => -n),
);

/** Values that are not strings (and not null, which some string fields accept). */
export const notAString = fc.oneof(
  fc.boolean(),
  anyJsonNumber,
  fc.array(anyJson, { maxLength: 3 }),
  hostileObject,
);

/** Values that are not numbers (and not null). */
export const notANumber = fc.oneof(
  fc.boolean(),
  fc.constantFrom("1", "0x1", "1e3", "", " 1", "NaN", "Infinity", "-0", "2147483648"),
  oddString({ maxLength: 10 }),
  fc.array(anyJson, { maxLength: 3 }),
  hostileObject,
);
