import type { EntityManager } from "@mikro-orm/sql";

/**
 * How drivers hand back a timestamp: SQLite stores milliseconds; PostgreSQL's and MariaDB's come
 * as text (MikroORM's type parsers and `dateStrings`).
 */
export type RawTimestamp = Date | number | string;

/**
 * A timestamp as the API shows it, ISO-8601 in UTC with milliseconds (`2026-12-01T10:00:00.000Z`),
 * straight from what the driver handed over. Reads build no Date: on PostgreSQL a Date of each
 * timestamp, parsed from text and formatted again, cost a list page of 20 users with their items
 * an eighth of its server CPU (docs/performance.md).
 */
export function isoTimestamp(value: RawTimestamp): string {
  if (typeof value === "number") return isoFromMillis(value);
  if (typeof value === "string") return isoFromText(value);
  return toIsoTimestamp(value);
}

/** A stored timestamp as a Date, whichever form the driver handed it over in (see isoTimestamp). */
export function toDate(value: RawTimestamp): Date {
  if (value instanceof Date) return value;
  return new Date(typeof value === "string" ? isoFromText(value) : value);
}

/** A Date as the column stores it (milliseconds on SQLite), for values bound in a Kysely statement. */
export function storedDate(em: EntityManager, date: Date): RawTimestamp {
  return em.getPlatform().processDateProperty(date) as RawTimestamp;
}

/**
 * `date.toISOString()`, the same string, faster: V8 formats through its runtime, and a user with
 * five items has twelve timestamps to show (the figures are in docs/performance.md).
 */
export function toIsoTimestamp(date: Date): string {
  return isoFromMillis(date.getTime());
}

/**
 * Arithmetic on the milliseconds, with the civil-from-days algorithm
 * (http://howardhinnant.github.io/date_algorithms.html#civil_from_days). Instants outside
 * 1970–9999, and invalid ones, go to `toISOString` itself: its six-digit years, its RangeError.
 */
function isoFromMillis(ms: number): string {
  if (!(ms >= 0 && ms <= lastMillisecondOf9999)) return new Date(ms).toISOString();
  const days = Math.floor(ms / msPerDay);
  const { year, month, day } = civilFromDays(days);
  let rest = ms - days * msPerDay;
  const hours = Math.floor(rest / msPerHour);
  rest -= hours * msPerHour;
  const minutes = Math.floor(rest / msPerMinute);
  rest -= minutes * msPerMinute;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${pad2(Math.floor(year / 100))}${pad2(year % 100)}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(millis)}Z`;
}

/**
 * A timestamp the database sent as text, in UTC: PostgreSQL's `2026-12-01 10:00:00.12+00` (its
 * session time zone UTC, postgresql.ts), MariaDB's `2026-12-01 10:00:00.120` or `… 10:00:00`
 * (DATETIME, written in UTC by MikroORM's `timezone: 'Z'`). Rewritten, not parsed: the fraction is
 * cut or padded to milliseconds, as a Date would. Any other form (another offset, a year past
 * 9999, ISO text already) goes through a Date, a text without an offset read as UTC.
 */
function isoFromText(text: string): string {
  const end = text.length;
  if (end >= 19 && isDateAndTime(text)) {
    let at = 19;
    let fraction = "000";
    if (text.charCodeAt(at) === dot) {
      const digits = ++at;
      while (at < end && isDigit(text.charCodeAt(at))) at++;
      fraction = `${text.slice(digits, Math.min(at, digits + 3))}00`.slice(0, 3);
    }
    if (at === end || (at === end - 3 && text.endsWith("+00"))) {
      return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
    }
  }
  const offset = /(?:[+-]\d\d(?::?\d\d)?|Z)$/.test(text) ? "" : "Z";
  return toIsoTimestamp(new Date(`${text}${offset}`));
}

const dot = 46;
/** `YYYY-MM-DD HH:MM:SS`: what each of its first 19 characters must be, a digit where 0. */
const dateAndTime = [..."0000-00-00 00:00:00"].map((char) => (char === "0" ? 0 : char.charCodeAt(0)));

function isDateAndTime(text: string): boolean {
  for (let i = 0; i < dateAndTime.length; i++) {
    const expected = dateAndTime[i];
    const code = text.charCodeAt(i);
    if (expected === 0 ? !isDigit(code) : code !== expected) return false;
  }
  return true;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const msPerMinute = 60_000;
const msPerHour = 3_600_000;
const msPerDay = 86_400_000;
const lastMillisecondOf9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Year, month (1–12) and day (1–31) of a day count from 1970-01-01 (not negative). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468; // days since 0000-03-01, the start of a 400-year era
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March … 11 = February
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1,
  };
}

const twoDigits = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const threeDigits = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));

function pad2(n: number): string {
  return twoDigits[n] ?? String(n);
}

function pad3(n: number): string {
  return threeDigits[n] ?? String(n);
}
