import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteDriver } from "@mikro-orm/sqlite";
import Database from "better-sqlite3";
import { ImmediateSqliteDialect } from "./sqlite-immediate-dialect.ts";
import { withStatementCache } from "./sqlite-statement-cache.ts";
import type { DialectOptions } from "./types.ts";

/** Longest a single SQLite call may block the event loop waiting for another process's lock. */
export const syncBusyTimeoutMs = 100;

export type SqliteSettings = {
  path: string;
  synchronous: "NORMAL" | "FULL";
  /** How long a write transaction waits (asynchronously) for another process's write lock. */
  busyTimeoutMs: number;
  /** Called with every statement run on the connection (reads through Kysely included). */
  onStatement?: ((sql: string) => void) | undefined;
};

/**
 * SQLite: the file and its folder are created when missing. MikroORM only sets `foreign_keys`;
 * the busy timeout, WAL and `synchronous` are ours (docs/decisions/002-sqlite-pragmas.md), and
 * transactions begin immediate so several processes can write one file.
 */
export function sqliteOptions(settings: SqliteSettings): DialectOptions {
  const inMemory = settings.path === ":memory:";
  if (!inMemory) mkdirSync(dirname(settings.path), { recursive: true });
  const dialect = new ImmediateSqliteDialect({
    lockTimeoutMs: settings.busyTimeoutMs,
    database: async () => {
      // The synchronous busy timeout blocks the event loop while it waits, so it stays short:
      // the long wait for the write lock is the dialect's asynchronous one. It is set at open,
      // before anything touches the file: switching a new file to WAL needs a moment of
      // exclusive access while another process may hold it.
      const db = new Database(settings.path, { timeout: syncBusyTimeoutMs });
      if (!inMemory) db.pragma("journal_mode = wal");
      db.pragma(`synchronous = ${settings.synchronous}`);
      // SQLite's own lower() folds ASCII only, so a search for "émile" missed "Émile" here while
      // PostgreSQL and MariaDB found it. JavaScript's toLowerCase folds all of Unicode.
      db.function("lower", { deterministic: true }, (value: unknown) =>
        typeof value === "string" ? value.toLowerCase() : value,
      );
      return withStatementCache(db, { onStatement: settings.onStatement });
    },
  });
  return { driver: SqliteDriver, dbName: settings.path, driverOptions: dialect };
}
