import { setTimeout as sleep } from "node:timers/promises";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `begin`: the write lock is
 * only requested at the first write, and when another process wrote since this transaction's
 * first read, SQLite answers "database is locked" at once, whatever the busy timeout. `begin
 * immediate` takes the write lock up front, so two processes writing one file queue up instead.
 *
 * The wait for that lock is asynchronous: better-sqlite3 is synchronous, and its own busy
 * handler would freeze the whole server (every request, health checks) while it sleeps. So each
 * attempt fails fast and the driver retries with a growing pause, up to `lockTimeoutMs`.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #lockTimeoutMs: number;

  constructor(config: SqliteDialectConfig, lockTimeoutMs: number) {
    super(config);
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 25)) {
      try {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() + pause > deadline) break;
        await sleep(pause);
      }
    }
    // Not granted in time. Throwing here would leak the connection for good: Kysely (0.29) only
    // releases it through commit or rollback, never when beginTransaction fails. So open a
    // deferred transaction instead: its first write fails on the lock and goes down the ordinary
    // error path (rollback, release, LockWaitTimeoutException, 503).
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/** Kysely's SQLite dialect with `begin immediate` transactions (see ImmediateSqliteDriver). */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #lockTimeoutMs: number;

  constructor(config: SqliteDialectConfig & { lockTimeoutMs: number }) {
    super(config);
    this.#config = config;
    this.#lockTimeoutMs = config.lockTimeoutMs;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#lockTimeoutMs);
  }
}
