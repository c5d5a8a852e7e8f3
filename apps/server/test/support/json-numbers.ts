import { maxDatabaseInt } from "@app/api/schemas";
import fc from "fast-check";
import { numberKinds, validInputs } from "./bad-fields.ts";
import { type ProcedureSpec, procedures } from "./raw-calls.ts";

const digit = fc.constantFrom(..."0123456789");
const digits = (minLength: number, maxLength: number) => fc.string({ unit: digit, minLength, maxLength });

/** JSON's grammar for a number (RFC 8259): `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`. */
const anySpelling = fc
  .tuple(
    fc.constantFrom("", "-"),
    fc.oneof(
      fc.constant("0"),
      fc.tuple(fc.constantFrom(..."123456789"), digits(0, 100)).map(([first, rest]) => first + rest),
    ),
    fc.option(
      digits(1, 20).map((d) => `.${d}`),
      { nil: "" },
    ),
    fc.option(
      fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits(1, 3)).map((p) => p.join("")),
      { nil: "" },
    ),
  )
  .map((parts) => parts.join(""));

/**
 * A number as JSON text, from anywhere in what JSON may spell: the edges of what a database stores,
 * any id, integers up to 40 digits, and any spelling of the grammar (up to 101 digits, fractions,
 * exponents up to 999), which JSON.parse reads as -0, fractions, 5e-324, 1.7e308 or ±Infinity.
 */
export const jsonNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "0",
    "-0",
    "1",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967296",
    "9007199254740991",
    "9007199254740993",
    "2.147483647e9",
    "2.147483648e9",
    "21474836480E-1",
    "2147483647.0",
    "2147483647.5",
    "1e3",
    "1E+2",
    "0.1e1",
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e309",
    "5e-324",
    "1e-400",
  ),
  fc.integer({ min: 1, max: maxDatabaseInt }).map(String),
  fc.bigInt({ min: BigInt(maxDatabaseInt) + 1n, max: 10n ** 40n }).map(String),
  anySpelling,
);

/** `value` as JSON with the field `field` written as the number text `number`, exactly as spelled. */
export function jsonWithNumber(value: Record<string, unknown>, field: string, number: string): string {
  const marker = "\u0000number\u0000";
  return JSON.stringify({ ...value, [field]: marker }).replace(JSON.stringify(marker), number);
}

/** One procedure's valid input with one number field spelled as `number`: its JSON and the value it parses to. */
export type NumberCall = {
  procedure: ProcedureSpec;
  field: string;
  number: string;
  json: string;
  input: unknown;
};

/** A valid input to a procedure with one of its number fields (ids, cursors, limits, versions, days) respelled. */
export const numberCall: fc.Arbitrary<NumberCall> = fc.oneof(
  ...procedures.flatMap((procedure) => {
    const valid = validInputs[procedure.path];
    if (!valid) return [];
    return Object.entries(valid.fields)
      .filter(([, kind]) => numberKinds.has(kind))
      .map(([field]) =>
        jsonNumberText.map((number): NumberCall => {
          const json = jsonWithNumber(valid.input, field, number);
          return { procedure, field, number, json, input: JSON.parse(json) };
        }),
      );
  }),
);
