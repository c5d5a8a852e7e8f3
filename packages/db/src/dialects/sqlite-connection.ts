import { accessSync, type BigIntStats, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import type { CompiledQuery, DatabaseConnection, QueryResult, SqliteDatabase } from "kysely";

/** A database file as opened: the raw handle, and statements through the statement cache. */
export type OpenedSqlite = { native: Database.Database; statements: SqliteDatabase };

/** Opens the file; `fileMustExist` once it has existed, so a vanished file is not recreated empty. */
export type SqliteOpener = (options: { fileMustExist: boolean }) => OpenedSqlite;

/** How the driver opens a transaction: it takes the write lock up front (sqlite-immediate-dialect.ts). */
export const beginImmediate = "begin immediate";

const noRows: QueryResult<never> = { rows: [] };

/** Reads notice a moved or removed file at most this long after the fact. */
const readCheckIntervalMs = 1_000;

/**
 * SQLite's failures after which the handle is closed and the file opened afresh at the next use:
 * an I/O error leaves it in an unknown state, a handle opened read-only (the file system was) stays
 * read-only after the file system is writable again, and a file that could not be opened, was
 * corrupt or is not a database may have been put right since. A full disk needs no new handle:
 * SQLite rolls the transaction back and the same handle writes again once there is room, and
 * opening afresh on a full disk could fail where the open handle still reads.
 */
function breaksHandle(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^SQLITE_(IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/.test(code);
}

/** The error a write meets when the file at the path is no longer the one this handle opened. */
function fileMovedError(path: string): Error {
  return Object.assign(new Error(`the database file ${path} was moved, replaced or removed while open`), {
    code: "SQLITE_READONLY_DBMOVED",
  });
}

type Handle = OpenedSqlite & {
  /** Runs `begin` with SQLite's busy timeout off (see `#begin`), then restores it. */
  withoutBusyWait: (begin: () => void) => void;
  /** The file opened: its device and inode, to notice another file at the path. */
  file: BigIntStats | undefined;
  /** When the path was last checked against `file`. */
  checkedAt: number;
  /** False when the file or its folder could not be written at open: SQLite opened it read-only. */
  writable: boolean;
};

/**
 * Turns the handle's busy timeout off around one statement and back to what it was opened with.
 * The two pragmas are prepared once per handle and bypass the statement cache, so statement
 * counts (`onStatement`) see only the statement itself.
 */
function busyWaitSwitch(native: Database.Database): (run: () => void) => void {
  const standing = Number(native.pragma("busy_timeout", { simple: true }));
  const off = native.prepare("pragma busy_timeout = 0");
  const on = native.prepare(`pragma busy_timeout = ${standing}`);
  return (run) => {
    off.get();
    try {
      run();
    } finally {
      on.get();
    }
  };
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kysely's connection to a SQLite file (there is one: SQLite serialises writers anyway), which
 * survives its storage failing. Kysely (0.29) holds the connection until a transaction's commit
 * or rollback succeeds, and Kysely's own SQLite driver let a failed rollback (SQLite rolls back by
 * itself on SQLITE_FULL, so the rollback that follows finds no transaction) keep it for good:
 * every later call, /health included, waited forever. Here:
 *
 * - `rollback` always succeeds: it does nothing when SQLite already ended the transaction, and a
 *   handle that cannot roll back is closed, which discards the transaction all the same;
 * - a handle that broke (`breaksHandle`) is closed, and the file is opened again at the next use,
 *   with `fileMustExist`: a file that vanished answers SQLITE_CANTOPEN (503) until it is back,
 *   instead of being recreated empty;
 * - a handle whose path now names another file, or none (moved, replaced, deleted: in WAL mode
 *   SQLite itself keeps writing into the unlinked file), is closed too. Writes check before they
 *   begin; reads at most once a second;
 * - a transaction that cannot go on (it could not begin, its handle was closed, or SQLite rolled
 *   it back by itself) fails every further statement with the error that ended it, so nothing
 *   after that error runs outside the transaction, until its rollback.
 */
export class SqliteFileConnection implements DatabaseConnection {
  readonly #open: SqliteOpener;
  /** The file's path; undefined in memory, which has no file to lose. */
  readonly #path: string | undefined;
  #handle: Handle | undefined;
  #opened = false;
  /** Inside a transaction that Kysely began and has not yet ended. */
  #inTransaction = false;
  /** Why the current transaction cannot go on. */
  #doomed: unknown;

  readonly #onClose: (() => void) | undefined;

  /**
   * `onClose`: told when this connection closes its handle. `neverCreates`: the file must exist
   * from the first open (the read handle, opened after the write handle created the file: a file
   * moved away before its first read would otherwise be recreated empty at the path).
   */
  constructor(
    open: SqliteOpener,
    path: string | undefined,
    options: { onClose?: () => void; neverCreates?: boolean } = {},
  ) {
    this.#open = open;
    this.#path = path;
    this.#onClose = options.onClose;
    this.#opened = options.neverCreates ?? false;
  }

  /** Opens the file for the first time (creating it); throws when it cannot. */
  open(): void {
    this.#handle ??= this.#openHandle();
  }

  close(): void {
    this.#closeHandle();
  }

  /** Whether a handle is open now (none after a failure closed it, until the next use). */
  get isOpen(): boolean {
    return this.#handle !== undefined;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    // Transaction control comes through here like any statement, so that whatever wraps this
    // method (statement spans) sees it too.
    if (sql === beginImmediate) return this.#begin(sql);
    if (sql === "commit") return this.#commit();
    if (sql === "rollback") return this.#rollback();
    const handle = this.#usableHandle();
    try {
      const statement = handle.statements.prepare(sql);
      if (!this.#inTransaction) this.#checkFile(handle, statement.reader);
      if (statement.reader) return { rows: statement.all(parameters) as R[] };
      const { changes, lastInsertRowid } = statement.run(parameters);
      return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
    } catch (error) {
      this.#failed(error);
      throw error;
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const handle = this.#usableHandle();
    try {
      const statement = handle.statements.prepare(compiledQuery.sql);
      if (!statement.reader) throw new Error("Sqlite driver only supports streaming of select queries");
      if (!this.#inTransaction) this.#checkFile(handle, true);
      for (const row of statement.iterate(compiledQuery.parameters)) yield { rows: [row as R] };
    } catch (error) {
      this.#failed(error);
      throw error;
    }
  }

  /**
   * A transaction's start, before its `begin immediate`: opens the file again if its handle was
   * closed, and checks that it is still the file at the path. Returns false when the transaction
   * cannot run: it is then doomed, and its statements and commit fail with why. Never throws,
   * since Kysely would keep the connection for good.
   */
  enterTransaction(): boolean {
    this.#inTransaction = true;
    this.#doomed = undefined;
    try {
      // Opened while the file could not be written: SQLite then reads it read-only for good.
      if (this.#handle && !this.#handle.writable) this.#closeHandle();
      this.#handle ??= this.#openHandle();
      this.#checkFile(this.#handle, false);
      return true;
    } catch (error) {
      this.#failed(error);
      this.#doomed = error;
      return false;
    }
  }

  /** Dooms the transaction that could not begin (its lock was not granted in time): `error` is why. */
  doom(error: unknown): void {
    this.#doomed = error;
  }

  /**
   * Throws what SQLite answers: SQLITE_BUSY at once when another process holds the write lock,
   * and the driver waits and tries again without blocking (sqlite-immediate-dialect.ts). SQLite's
   * own busy handler would sleep 1, 2, 5, 10… ms with this process's event loop stopped: with two
   * workers creating at once, the one that lost the race stopped serving anything for a
   * millisecond or more each time, and two workers created fewer records than one.
   */
  #begin(sql: string): QueryResult<never> {
    const handle = this.#inTransaction ? this.#handle : this.#usableHandle();
    if (!handle) throw new Error("the transaction's database handle was closed");
    try {
      handle.withoutBusyWait(() => handle.statements.prepare(sql).run([]));
      return noRows;
    } catch (error) {
      if (breaksHandle(error)) this.#discardHandle();
      throw error;
    }
  }

  #commit(): QueryResult<never> {
    const handle = this.#usableHandle();
    try {
      handle.statements.prepare("commit").run([]);
    } catch (error) {
      this.#failed(error);
      throw error;
    }
    this.#inTransaction = false;
    return noRows;
  }

  /** Never throws: see the class comment. */
  #rollback(): QueryResult<never> {
    this.#inTransaction = false;
    this.#doomed = undefined;
    const handle = this.#handle;
    // Closed: closing discarded the transaction. Not in one: SQLite already rolled it back, or
    // it never began.
    if (!handle?.native.inTransaction) return noRows;
    try {
      handle.statements.prepare("rollback").run([]);
    } catch {
      this.#discardHandle();
    }
    return noRows;
  }

  #usableHandle(): Handle {
    if (this.#inTransaction) {
      if (this.#doomed !== undefined) throw this.#doomed;
      // Never opened afresh in the middle of a transaction: that would run the rest outside it.
      if (!this.#handle) throw new Error("the transaction's database handle was closed");
      return this.#handle;
    }
    this.#handle ??= this.#openHandle();
    return this.#handle;
  }

  #openHandle(): Handle {
    let opened: OpenedSqlite;
    try {
      opened = this.#open({ fileMustExist: this.#opened });
    } catch (error) {
      throw this.#explainOpenFailure(error);
    }
    this.#opened = true;
    const withoutBusyWait = busyWaitSwitch(opened.native);
    if (this.#path === undefined) {
      return { ...opened, withoutBusyWait, file: undefined, checkedAt: 0, writable: true };
    }
    const file = statSync(this.#path, { bigint: true, throwIfNoEntry: false });
    if (!file) {
      opened.native.close();
      throw fileMovedError(this.#path);
    }
    const writable = canWrite(this.#path) && canWrite(dirname(this.#path));
    return { ...opened, withoutBusyWait, file, checkedAt: Date.now(), writable };
  }

  /**
   * SQLite says SQLITE_CANTOPEN whether the file is gone or its folder cannot be written (a WAL
   * database needs its `-shm` file beside it, even to read): tell the second apart, as the
   * read-only storage it is, so that nobody goes looking for a file that is there.
   */
  #explainOpenFailure(error: unknown): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    if (this.#path === undefined || typeof code !== "string" || !code.startsWith("SQLITE_CANTOPEN"))
      return error;
    if (!existsSync(this.#path) || canWrite(dirname(this.#path))) return error;
    return Object.assign(
      new Error(`the folder of the database file ${this.#path} is read-only`, { cause: error }),
      {
        code: "SQLITE_READONLY_DIRECTORY",
      },
    );
  }

  /**
   * Throws when the path names another file than the one `handle` opened, or none. Writes check
   * every time (a `stat`, about 2 µs); reads when the last check is older than
   * `readCheckIntervalMs`, which costs them a clock read.
   */
  #checkFile(handle: Handle, reading: boolean): void {
    if (this.#path === undefined || !handle.file) return;
    const now = Date.now();
    if (reading && now - handle.checkedAt < readCheckIntervalMs) return;
    handle.checkedAt = now;
    const current = statSync(this.#path, { bigint: true, throwIfNoEntry: false });
    if (current?.ino === handle.file.ino && current.dev === handle.file.dev) return;
    // SQLite leaves its `-wal` and `-shm` files at the path when the database file was removed
    // or renamed, and whichever file is put there next would take that log for its own: a
    // backup restored in its place showed rows that were never in it. Moved into the old file
    // first, the log is left empty: harmless (a file renamed away keeps every row this way).
    try {
      handle.native.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // Best effort: another process may hold the log; that process checks for itself.
    }
    throw fileMovedError(this.#path);
  }

  #failed(error: unknown): void {
    if (breaksHandle(error)) this.#discardHandle();
    // SQLite may end a transaction by itself on an error (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY
    // mid-transaction): what follows must not run outside it, half a unit of work committed.
    if (this.#inTransaction && !this.#handle?.native.inTransaction) this.#doomed ??= error;
  }

  /** Closes a broken handle, to be opened afresh; a database in memory would be lost, so it stays. */
  #discardHandle(): void {
    if (this.#path !== undefined) this.#closeHandle();
  }

  #closeHandle(): void {
    const handle = this.#handle;
    this.#handle = undefined;
    try {
      handle?.native.close();
    } catch {
      // Closing a broken handle may fail too; it is dropped either way.
    }
    if (handle) this.#onClose?.();
  }
}
