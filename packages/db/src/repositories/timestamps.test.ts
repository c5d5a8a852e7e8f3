import { afterEach, describe, expect, it } from "vitest";
import { isoTimestamp, toDate, toIsoTimestamp } from "./timestamps.ts";

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

/** How PostgreSQL (session in UTC) writes an instant as text: fraction without trailing zeros, `+00`. */
function postgresText(date: Date): string {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction && `.${fraction}`}+00`;
}

describe("isoTimestamp", () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it("writes milliseconds (SQLite) and Dates as toISOString does", () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 10_000; i++) {
      const ms = Math.floor(Math.random() * last);
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
    }
    expect(isoTimestamp(-1)).toBe("1969-12-31T23:59:59.999Z");
  });

  it("rewrites PostgreSQL's UTC text as the same instant, whatever its fraction", () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 10_000; i++) {
      const date = new Date(Math.floor(Math.random() * last));
      expect(isoTimestamp(postgresText(date))).toBe(date.toISOString());
    }
    expect(isoTimestamp("2026-12-01 10:00:00+00")).toBe("2026-12-01T10:00:00.000Z");
    expect(isoTimestamp("2026-12-01 10:00:00.1+00")).toBe("2026-12-01T10:00:00.100Z");
    expect(isoTimestamp("2026-12-01 10:00:00.12+00")).toBe("2026-12-01T10:00:00.120Z");
    // Six digits (a timestamptz without a precision): cut to milliseconds, as a Date does.
    expect(isoTimestamp("2026-12-01 10:00:00.123456+00")).toBe(
      new Date("2026-12-01T10:00:00.123456Z").toISOString(),
    );
  });

  it("reads MariaDB's DATETIME text as UTC, also on a machine in another time zone", () => {
    process.env.TZ = "Europe/Berlin";
    // The check that this test runs where it means to: a Date reads zone-less text as local time.
    expect(new Date("2026-12-01 10:00:00").toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(isoTimestamp("2026-12-01 10:00:00")).toBe("2026-12-01T10:00:00.000Z");
    expect(isoTimestamp("2026-12-01 10:00:00.120")).toBe("2026-12-01T10:00:00.120Z");
    expect(toDate("2026-12-01 10:00:00.120").toISOString()).toBe("2026-12-01T10:00:00.120Z");
  });

  it("reads any other offset, or ISO text, through a Date", () => {
    expect(isoTimestamp("2026-12-01 10:00:00.5+01")).toBe("2026-12-01T09:00:00.500Z");
    expect(isoTimestamp("2026-12-01 10:00:00+05:30")).toBe("2026-12-01T04:30:00.000Z");
    expect(isoTimestamp("2026-12-01T10:00:00.123Z")).toBe("2026-12-01T10:00:00.123Z");
    expect(() => isoTimestamp("not a time")).toThrow(RangeError);
  });
});
