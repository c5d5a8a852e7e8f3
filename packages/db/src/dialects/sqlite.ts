import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteDriver } from "@mikro-orm/sqlite";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import type { DialectOptions } from "./types.ts";

export type SqliteSettings = {
  path: string;
  synchronous: "NORMAL" | "FULL";
  busyTimeoutMs: number;
};

/**
 * SQLite: the file and its folder are created when missing. MikroORM only sets `foreign_keys`;
 * WAL, `synchronous` and the busy timeout are ours (docs/decisions/002-sqlite-pragmas.md).
 */
export function sqliteOptions(settings: SqliteSettings): DialectOptions {
  const inMemory = settings.path === ":memory:";
  if (!inMemory) mkdirSync(dirname(settings.path), { recursive: true });
  const pragmas = [
    ...(inMemory ? [] : ["pragma journal_mode = wal"]),
    `pragma synchronous = ${settings.synchronous}`,
    `pragma busy_timeout = ${settings.busyTimeoutMs}`,
  ];
  return {
    driver: SqliteDriver,
    dbName: settings.path,
    onCreateConnection: async (connection) => {
      for (const pragma of pragmas) {
        await (connection as DatabaseConnection).executeQuery(CompiledQuery.raw(pragma));
      }
    },
  };
}
