import { hostname } from "node:os";
import type { Config } from "../config.ts";

const levels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export type PrimaryLog = Record<"info" | "warn" | "error", (message: string) => void>;

/**
 * The primary's log: JSON lines in the shape of the workers' (pino's `level`, `time`, `pid`,
 * `hostname`, `msg`) on the same stdout, without loading pino, which comes with fastify: the
 * primary loads none of the server.
 */
export function primaryLog(level: Config["LOG_LEVEL"]): PrimaryLog {
  const threshold = level === "silent" ? Number.POSITIVE_INFINITY : levels[level];
  const base = { pid: process.pid, hostname: hostname() };
  const writer = (name: keyof typeof levels) => (message: string) => {
    if (levels[name] < threshold) return;
    process.stdout.write(
      `${JSON.stringify({ level: levels[name], time: Date.now(), ...base, msg: message })}\n`,
    );
  };
  return { info: writer("info"), warn: writer("warn"), error: writer("error") };
}
