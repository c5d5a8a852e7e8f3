import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
} from "kysely";
import { LockStatsCounter } from "../lock-stats.ts";
import { beginImmediate, SqliteFileConnection, type SqliteOpener } from "./sqlite-connection.ts";
import { WalWrites } from "./sqlite-wal-writes.ts";

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `begin`: the write lock is
 * only requested at the first write, and when another process wrote since this transaction's
 * first read, SQLite answers "database is locked" at once, whatever the busy timeout. `begin
 * immediate` takes the write lock up front, so two processes writing one file queue up instead.
 *
 * The wait for that lock is asynchronous: better-sqlite3 is synchronous, and its own busy
 * handler would freeze the whole server (every request, health checks) while it sleeps. So each
 * attempt fails at once (the connection turns SQLite's busy timeout off for `begin`), and the
 * driver tries again when the other process commits (sqlite-wal-writes.ts) or after a growing
 * pause, up to `lockTimeoutMs`. It used to try at every turn of the event loop for the first 2 ms:
 * with two workers creating at once, the one waiting burnt a core doing so.
 *
 * Kysely (0.29) releases a transaction's connection only when its commit or rollback succeeds,
 * and never when `beginTransaction` throws: so nothing here throws from `beginTransaction` or
 * `rollbackTransaction`. A transaction that cannot begin is doomed instead (its statements and
 * commit fail with why), and the connection survives its storage failing (sqlite-connection.ts).
 */
export class ImmediateSqliteDriver implements Driver {
  /** The write handle: transactions, and every statement that may write. */
  readonly #connection: SqliteFileConnection;
  /**
   * A second handle on the file for statements that only read, outside any transaction: in WAL
   * mode they need no lock, so they need not wait for the write handle (sqlite-connection-queue.ts).
   * None in memory, where a second handle would open a second, empty database.
   */
  readonly reader: SqliteFileConnection | undefined;
  readonly #config: ImmediateSqliteConfig;
  readonly #lockStats: LockStatsCounter;
  readonly #walWrites: WalWrites;

  constructor(config: ImmediateSqliteConfig, lockStats: LockStatsCounter) {
    // Whatever closes the write handle (the file moved, broken, read-only, shutdown) closes the
    // read handle too: both open again at their next use. A file system cannot be remounted
    // read-only while a handle holds a file open for writing.
    this.#connection = new SqliteFileConnection(config.open, config.path, {
      onClose: () => this.reader?.close(),
    });
    this.reader =
      config.path === undefined
        ? undefined
        : new SqliteFileConnection(config.open, config.path, { neverCreates: true });
    this.#config = config;
    this.#lockStats = lockStats;
    this.#walWrites = new WalWrites(config.path);
  }

  async init(): Promise<void> {
    this.#connection.open();
    await this.#config.onCreateConnection?.(this.#connection);
    if (this.reader) await this.#config.onCreateConnection?.(this.reader);
  }

  /** The write handle (the connection queue hands it out in turn). */
  get writer(): DatabaseConnection {
    return this.#connection;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#connection.enterTransaction()) return;
    let waitingSince: number | undefined;
    let reopened = false;
    for (let pause = 0; ; ) {
      try {
        await connection.executeQuery(CompiledQuery.raw(beginImmediate));
        if (waitingSince !== undefined) this.#lockStats.waited(performance.now() - waitingSince, true);
        return;
      } catch (error) {
        if (!isBusy(error)) {
          // A handle that broke on `begin` (opened while the file system was read-only, say) is
          // closed by now: nothing ran in this transaction yet, so try once more on a fresh one,
          // rather than fail the first call after the fault is gone.
          if (!reopened && !this.#connection.isOpen) {
            reopened = true;
            if (this.#connection.enterTransaction()) continue;
            return;
          }
          return this.#connection.doom(error);
        }
        // Counted once the lock is found taken: a transaction that gets it at once costs nothing.
        waitingSince ??= performance.now();
        if (performance.now() - waitingSince + pause > this.#config.lockTimeoutMs) {
          this.#lockStats.waited(performance.now() - waitingSince, false);
          // Not granted in time: the transaction's statements fail on the lock (SQLITE_BUSY, 503).
          return this.#connection.doom(error);
        }
        // Tried again when the other process commits, or after a pause of 1, 2, 4… up to 25 ms
        // (a lock released without a write wakes nobody). This process serves its other requests
        // meanwhile, its reads on the read handle.
        pause = Math.min(Math.max(pause * 2, 1), 25);
        await this.#walWrites.next(pause);
      }
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  // Savepoints: nested transactions (MikroORM names them `trx1`, `trx2`…).
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand("savepoint", name));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand("rollback to", name));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(savepointCommand("release", name));
  }

  async destroy(): Promise<void> {
    this.#connection.close();
    this.reader?.close();
  }
}

function savepointCommand(command: string, name: string): CompiledQuery {
  return CompiledQuery.raw(`${command} "${name.replaceAll('"', '""')}"`);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

export type ImmediateSqliteConfig = {
  /** Opens the file (sqlite.ts sets its pragmas); called again after a failure closed it. */
  open: SqliteOpener;
  /** The file's path, or undefined in memory. */
  path: string | undefined;
  /** How long a transaction waits for another process's write lock, in ms. */
  lockTimeoutMs: number;
  /** Called once with the connection when the driver starts (statement spans wrap it). */
  onCreateConnection?: ((connection: DatabaseConnection) => Promise<void>) | undefined;
};

/** Kysely's SQLite dialect with `begin immediate` transactions (see ImmediateSqliteDriver). */
export class ImmediateSqliteDialect extends SqliteDialect {
  /** This database's lock waits (lockStatsOf reads them through the ORM's `driverOptions`). */
  readonly lockStats = new LockStatsCounter();
  readonly #config: ImmediateSqliteConfig;

  constructor(config: ImmediateSqliteConfig) {
    // Kysely's own driver, and with it this `database`, is never made: createDriver is ours.
    const unused: SqliteDialectConfig = {
      database: () => Promise.reject(new Error("ImmediateSqliteDialect opens its own database")),
    };
    super(unused);
    this.#config = config;
  }

  override createDriver(): Driver {
    return this.createImmediateDriver();
  }

  protected createImmediateDriver(): ImmediateSqliteDriver {
    return new ImmediateSqliteDriver(this.#config, this.lockStats);
  }
}
