import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listChangesInput, onChangeInput } from "./change.ts";
import { id, integerBetween, limit, maxDatabaseInt } from "./common.ts";

const messagesOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("integers every database stores", () => {
  it("takes ids from 1 to 2147483647, the largest a PostgreSQL or MariaDB int holds", () => {
    expect(maxDatabaseInt).toBe(2 ** 31 - 1);
    expect(id.parse(1)).toBe(1);
    expect(id.parse(maxDatabaseInt)).toBe(maxDatabaseInt);
  });

  it("says the bound it breaks, once, whatever the number", () => {
    for (const tooBig of [
      maxDatabaseInt + 1,
      2 ** 32,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      1e308,
    ]) {
      expect(messagesOf(id, tooBig), String(tooBig)).toEqual(["Must be at most 2147483647"]);
    }
    for (const tooSmall of [0, -0, -1, -(2 ** 31) - 1, -1e308]) {
      expect(messagesOf(id, tooSmall), String(tooSmall)).toEqual(["Must be at least 1"]);
    }
    expect(messagesOf(id, 1.5)).toEqual(["Invalid input: expected int, received number"]);
    expect(messagesOf(id, Number.POSITIVE_INFINITY)).toEqual([
      "Invalid input: expected number, received Infinity",
    ]);
    expect(messagesOf(id, "1")).toEqual(["Invalid input: expected number, received string"]);
  });

  it("names a narrower field's own bounds, even for numbers past 2^53", () => {
    expect(messagesOf(limit, 101)).toEqual(["Must be at most 100"]);
    expect(messagesOf(limit, 1e300)).toEqual(["Must be at most 100"]);
    expect(messagesOf(integerBetween(0, 10), -1e300)).toEqual(["Must be at least 0"]);
  });

  it("documents both bounds in JSON Schema, so OpenAPI and forms show them", () => {
    expect(z.toJSONSchema(id)).toMatchObject({ type: "integer", minimum: 1, maximum: 2147483647 });
    expect(z.toJSONSchema(limit, { io: "input" })).toMatchObject({ minimum: 1, maximum: 100 });
  });

  it("bounds a change id to start after, and Last-Event-ID's digits, the same way", () => {
    expect(listChangesInput.parse({ after: 0 }).after).toBe(0);
    expect(messagesOf(listChangesInput, { after: maxDatabaseInt + 1 })).toEqual([
      "Must be at most 2147483647",
    ]);
    expect(onChangeInput.parse({ lastEventId: "2147483647" }).lastEventId).toBe("2147483647");
    expect(messagesOf(onChangeInput, { lastEventId: "2147483648" })).toEqual(["Must be at most 2147483647"]);
    expect(messagesOf(onChangeInput, { lastEventId: "9".repeat(400) })).toEqual([
      "Must be at most 2147483647",
    ]);
    expect(messagesOf(onChangeInput, { lastEventId: "x1" })).toEqual(["Must be a change id (digits only)"]);
  });
});
