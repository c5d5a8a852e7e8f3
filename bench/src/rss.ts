import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes, from /proc (Linux); undefined once it is gone. */
export function readRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export type RssSampler = { stop(): number };

/**
 * Samples a process's RSS every `intervalMs` until stopped, and returns the peak seen. VmHWM would
 * give the lifetime peak; sampling VmRSS gives the peak of this scenario alone.
 */
export function sampleRss(pid: number, intervalMs = 50): RssSampler {
  let peak = readRss(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, readRss(pid) ?? 0);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, readRss(pid) ?? 0);
    },
  };
}
