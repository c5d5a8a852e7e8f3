import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteDriver } from "@mikro-orm/sqlite";
import Database from "better-sqlite3";
import type { DatabaseConnection } from "kysely";
import { sqliteAddonPath } from "./sqlite-addon.ts";
import { QueuedSqliteDialect } from "./sqlite-connection-queue.ts";
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
  /** Called with Kysely's connection once it is open (statement spans wrap it). */
  onCreateConnection?: ((connection: DatabaseConnection) => Promise<void>) | undefined;
};

/**
 * SQLite: the file and its folder are created when missing. MikroORM only sets `foreign_keys`;
 * the busy timeout, WAL and `synchronous` are ours (docs/decisions/002-sqlite-pragmas.md), and
 * transactions begin immediate so several processes can write one file.
 */
export function sqliteOptions(settings: SqliteSettings): DialectOptions {
  const inMemory = settings.path === ":memory:";
  if (!inMemory) mkdirSync(dirname(settings.path), { recursive: true });
  const dialect = new QueuedSqliteDialect({
    lockTimeoutMs: settings.busyTimeoutMs,
    ...(settings.onCreateConnection && { onCreateConnection: settings.onCreateConnection }),
    path: inMemory ? undefined : settings.path,
    // Called again whenever a storage failure closed the file (sqlite-connection.ts): by then
    // the file must exist, or a file that vanished would be recreated empty.
    open: ({ fileMustExist }) => {
      const nativeBinding = sqliteAddonPath();
      // The synchronous busy timeout blocks the event loop while it waits, so it stays short:
      // the long wait for the write lock is the dialect's asynchronous one. It is set at open,
      // before anything touches the file: switching a new file to WAL needs a moment of
      // exclusive access while another process may hold it.
      const db = new Database(settings.path, {
        timeout: syncBusyTimeoutMs,
        fileMustExist,
        ...(nativeBinding !== undefined && { nativeBinding }),
      });
      try {
        if (!inMemory) db.pragma("journal_mode = wal");
        db.pragma(`synchronous = ${settings.synchronous}`);
        // SQLite's own lower() folds ASCII only, so a search for "émile" missed "Émile" here while
        // PostgreSQL and MariaDB found it. JavaScript's toLowerCase folds all of Unicode.
        db.function("lower", { deterministic: true }, (value: unknown) =>
          typeof value === "string" ? value.toLowerCase() : value,
        );
        // MikroORM sets this once, when it connects: a handle opened afresh needs it too.
        db.pragma("foreign_keys = on");
      } catch (error) {
        db.close();
        throw error;
      }
      return { native: db, statements: withStatementCache(db, { onStatement: settings.onStatement }) };
    },
  });
  return { driver: SqliteDriver, dbName: settings.path, driverOptions: dialect };
}
