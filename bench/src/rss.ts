import { readdirSync, readFileSync } from "node:fs";

/**
 * Resident set size in bytes of the largest process among `pid` and its descendants, from /proc
 * (Linux); undefined once it is gone. A server started with WORKERS > 1 is a primary and its
 * workers: the targets are per process, and a worker carries the load.
 */
export function readRss(pid: number): number | undefined {
  let largest = readOwnRss(pid);
  if (largest === undefined) return undefined;
  for (const child of childrenOf(pid)) largest = Math.max(largest, readRss(child) ?? 0);
  return largest;
}

/** A process and all its descendants (a server's primary and its workers). */
export function processTree(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(processTree)];
}

/** The children of a process, as its threads list them (empty once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function readOwnRss(pid: number): number | undefined {
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
