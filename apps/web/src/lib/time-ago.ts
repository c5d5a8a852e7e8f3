import { useEffect, useState } from "react";

const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const steps: [limit: number, unit: Intl.RelativeTimeFormatUnit, seconds: number][] = [
  [60 * 60, "minute", 60],
  [24 * 60 * 60, "hour", 60 * 60],
  [30 * 24 * 60 * 60, "day", 24 * 60 * 60],
  [365 * 24 * 60 * 60, "month", 30 * 24 * 60 * 60],
  [Number.POSITIVE_INFINITY, "year", 365 * 24 * 60 * 60],
];

/** "just now", "2 minutes ago", "yesterday", "3 months ago": how long before `now` `at` was. */
export function timeAgo(at: string | Date, now: number): string {
  const seconds = Math.max(0, (now - new Date(at).getTime()) / 1000);
  if (seconds < 45) return "just now";
  for (const [limit, unit, size] of steps) {
    if (seconds < limit) return format.format(-Math.max(1, Math.floor(seconds / size)), unit);
  }
  return format.format(-Math.floor(seconds / (365 * 24 * 60 * 60)), "year");
}

/** The time now, renewed every `everyMs`, so "2 minutes ago" becomes "3 minutes ago" by itself. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
