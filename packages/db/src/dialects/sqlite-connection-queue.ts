import type { CompiledQuery, QueryResult } from "kysely";
import { type DatabaseConnection, type DialectAdapter, type Driver, SqliteAdapter } from "kysely";
import { ImmediateSqliteDialect, type ImmediateSqliteDriver } from "./sqlite-immediate-dialect.ts";

/**
 * The one SQLite connection, taken in turn. Kysely serialises it with a mutex of its own when the
 * adapter says the dialect has a single connection, but that mutex is private, so how many
 * transactions wait for the connection could not be seen. This queue does the same job where it
 * can be counted (`/metrics` reports it as the pool's `waiting`).
 */
export class ConnectionQueue {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  /** Whether a transaction or statement holds the connection now. */
  get inUse(): boolean {
    return this.#held;
  }

  /** How many are waiting for the connection. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes the connection if it is free; `false` means `wait()`. */
  tryTake(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  /** Resolves once the connection is handed over, first come first served. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the connection to the next waiter, or frees it. */
  give(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}

/**
 * What Kysely holds between acquiring a connection and releasing it. The write handle is taken
 * from the queue only when needed: for a transaction, or for a statement that may write. A plain
 * `select` outside any transaction runs at once, however long the queue: on the write handle when
 * it is free, else on the read handle (WAL readers take no lock). A read used to wait behind every
 * write of its process, and behind a write that waited for another process's lock. It sees what
 * is committed, as it did between two transactions on the write handle.
 */
class Lease implements DatabaseConnection {
  readonly #driver: ImmediateSqliteDriver;
  readonly #queue: ConnectionQueue;
  #holdsWriter = false;

  constructor(driver: ImmediateSqliteDriver, queue: ConnectionQueue) {
    this.#driver = driver;
    this.#queue = queue;
  }

  get holdsWriter(): boolean {
    return this.#holdsWriter;
  }

  /** The write handle, taken in turn on first use. */
  async writer(): Promise<DatabaseConnection> {
    if (!this.#holdsWriter) {
      if (!this.#queue.tryTake()) await this.#queue.wait();
      this.#holdsWriter = true;
    }
    return this.#driver.writer;
  }

  /** Gives the write handle back to the queue, if this lease took it. */
  giveBack(): void {
    if (!this.#holdsWriter) return;
    this.#holdsWriter = false;
    this.#queue.give();
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const reader = this.#driver.reader;
    if (!this.#holdsWriter && reader && isPlainRead(compiledQuery.sql)) {
      // The write handle when it is free: its pages are cached, where every commit of the write
      // handle makes the read handle read them again.
      if (!this.#queue.tryTake()) return reader.executeQuery<R>(compiledQuery);
      try {
        return await this.#driver.writer.executeQuery<R>(compiledQuery);
      } finally {
        this.#queue.give();
      }
    }
    return (await this.writer()).executeQuery<R>(compiledQuery);
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    // A stream keeps its statement open across turns of the event loop: on the write handle, held.
    yield* (await this.writer()).streamQuery<R>(compiledQuery, chunkSize);
  }
}

/** A `select` cannot write; anything else (writes, pragmas, transaction control) goes to the write handle. */
function isPlainRead(sql: string): boolean {
  return sql.startsWith("select ");
}

function leaseOf(connection: DatabaseConnection): Lease {
  if (!(connection instanceof Lease)) throw new Error("not a connection of this SQLite driver");
  return connection;
}

/** Kysely's driver for the file: the write handle taken through the queue, the read handle at once. */
class QueuedDriver implements Driver {
  readonly #inner: ImmediateSqliteDriver;
  readonly #queue: ConnectionQueue;

  constructor(inner: ImmediateSqliteDriver, queue: ConnectionQueue) {
    this.#inner = inner;
    this.#queue = queue;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Lease(this.#inner, this.#queue);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lease = leaseOf(connection);
    if (!lease.holdsWriter) return;
    try {
      await this.#inner.releaseConnection();
    } finally {
      lease.giveBack();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.beginTransaction(await leaseOf(connection).writer());
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(await leaseOf(connection).writer());
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(await leaseOf(connection).writer());
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return this.#inner.savepoint(await leaseOf(connection).writer(), name);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return this.#inner.rollbackToSavepoint(await leaseOf(connection).writer(), name);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    return this.#inner.releaseSavepoint(await leaseOf(connection).writer(), name);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/**
 * Tells Kysely not to add its own mutex: the driver already takes the one connection in turn.
 * Kysely reads `supportsMultipleConnections` for that alone (0.29: `RuntimeDriver`).
 */
class QueuedSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** The immediate-transaction SQLite dialect with its connection taken through a countable queue. */
export class QueuedSqliteDialect extends ImmediateSqliteDialect {
  readonly connectionQueue = new ConnectionQueue();

  override createDriver(): Driver {
    return new QueuedDriver(this.createImmediateDriver(), this.connectionQueue);
  }

  override createAdapter(): DialectAdapter {
    return new QueuedSqliteAdapter();
  }
}
