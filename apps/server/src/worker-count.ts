import { availableParallelism } from "node:os";
import { parseDatabaseUrl } from "@app/db";

/** Whether DATABASE_URL names an in-memory SQLite database (each process would have its own). */
export function isInMemoryDatabase(databaseUrl: string): boolean {
  try {
    const target = parseDatabaseUrl(databaseUrl);
    return target.dialect === "sqlite" && target.path === ":memory:";
  } catch {
    return false; // DATABASE_URL's own check names the problem
  }
}

/** WORKERS when unset: one server process per core, but one for an in-memory SQLite database. */
export function defaultWorkers(databaseUrl: string | undefined): number {
  return databaseUrl !== undefined && isInMemoryDatabase(databaseUrl) ? 1 : availableParallelism();
}

/**
 * WORKERS as config.ts will read it from `env`, read without the rest of the configuration, so
 * that a cluster's workers can start while the primary validates it (run.ts); undefined when
 * WORKERS is no valid count, which config.ts then reports.
 */
export function workersWanted(env: Record<string, string | undefined>): number | undefined {
  // config.ts takes an empty variable for an unset one, trims DATABASE_URL, and reads WORKERS as
  // z.coerce.number() does: Number(), then an integer from 1 to 1024.
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (env.WORKERS === undefined || env.WORKERS === "") return defaultWorkers(databaseUrl);
  const workers = Number(env.WORKERS);
  return Number.isInteger(workers) && workers >= 1 && workers <= 1024 ? workers : undefined;
}
