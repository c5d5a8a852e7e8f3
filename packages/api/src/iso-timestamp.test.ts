import { describe, expect, it } from "vitest";
import { toIsoTimestamp } from "./iso-timestamp.ts";

describe("toIsoTimestamp", () => {
  it("writes what toISOString writes across 1970–9999, leap days and year ends included", () => {
    const edges = [
      "1970-01-01T00:00:00.000Z",
      "1999-12-31T23:59:59.999Z",
      "2000-02-29T12:00:00.001Z", // divisible by 400: a leap year
      "2024-02-29T23:59:59.999Z",
      "2100-02-28T23:59:59.999Z", // divisible by 100 only: no 29 February
      "2100-03-01T00:00:00.000Z",
      "2026-11-25T06:45:05.010Z",
      "9999-12-31T23:59:59.999Z",
    ];
    for (const text of edges) expect(toIsoTimestamp(new Date(text))).toBe(text);
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 100_000; i++) {
      const date = new Date(Math.floor(Math.random() * last));
      expect(toIsoTimestamp(date)).toBe(date.toISOString());
    }
  });

  it("leaves dates outside 1970–9999 to toISOString, invalid ones failing as it fails", () => {
    for (const date of [new Date(-1), new Date("1969-07-20T20:17:40Z"), new Date(Date.UTC(10_000, 0, 1))]) {
      expect(toIsoTimestamp(date)).toBe(date.toISOString());
    }
    expect(() => toIsoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
