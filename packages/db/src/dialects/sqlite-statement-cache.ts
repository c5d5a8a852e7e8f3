import type Database from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Wraps a better-sqlite3 database so that `prepare` reuses compiled statements: Kysely prepares
 * every query anew, and compiling the SQL cost about a twentieth of a read's CPU. Keyed by the
 * SQL text, least recently used first out. Only statements with bound parameters (`?`) or short
 * constant ones (`begin immediate`, `commit`) are kept: MikroORM inlines values into its SQL, so
 * its statements are unique and would only churn the cache.
 */
export function withStatementCache(
  db: Database.Database,
  options: { capacity?: number; onStatement?: ((sql: string) => void) | undefined } = {},
): SqliteDatabase {
  const capacity = options.capacity ?? 500;
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      options.onStatement?.(sql);
      if (!sql.includes("?") && sql.length > 40) return db.prepare(sql);
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-insert below: Map order is the recency order
      } else {
        statement = db.prepare(sql);
        if (cache.size >= capacity) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
