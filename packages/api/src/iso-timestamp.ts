/**
 * `date.toISOString()`, the same string, faster: V8 formats through its runtime, and a user with
 * five items has six timestamps to show (the figures are in docs/performance.md). Arithmetic on the milliseconds instead, with the civil-from-days
 * algorithm (http://howardhinnant.github.io/date_algorithms.html#civil_from_days). Dates outside
 * 1970–9999, and invalid ones, go to `toISOString` itself: its six-digit years, its RangeError.
 */
export function toIsoTimestamp(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms <= lastMillisecondOf9999)) return date.toISOString();
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
