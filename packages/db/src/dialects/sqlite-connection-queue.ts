import type { AbortableOperationOptions } from "kysely";
import {
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryCompiler,
  SqliteAdapter,
  type TransactionSettings,
} from "kysely";
import { ImmediateSqliteDialect } from "./sqlite-immediate-dialect.ts";

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

/** Kysely's driver for the connection, taken through the queue and given back to it. */
class QueuedDriver implements Driver {
  readonly #inner: Driver;
  readonly #queue: ConnectionQueue;

  constructor(inner: Driver, queue: ConnectionQueue) {
    this.#inner = inner;
    this.#queue = queue;
  }

  init(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.init(options);
  }

  async acquireConnection(options?: AbortableOperationOptions): Promise<DatabaseConnection> {
    if (!this.#queue.tryTake()) await this.#queue.wait();
    try {
      return await this.#inner.acquireConnection(options);
    } catch (error) {
      this.#queue.give();
      throw error;
    }
  }

  async releaseConnection(
    connection: DatabaseConnection,
    options?: AbortableOperationOptions,
  ): Promise<void> {
    try {
      await this.#inner.releaseConnection(connection, options);
    } finally {
      this.#queue.give();
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    if (!this.#inner.savepoint) throw new Error("The `savepoint` method is not supported by this driver");
    return this.#inner.savepoint(connection, name, compileQuery);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    if (!this.#inner.rollbackToSavepoint) {
      throw new Error("The `rollbackToSavepoint` method is not supported by this driver");
    }
    return this.#inner.rollbackToSavepoint(connection, name, compileQuery);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    if (!this.#inner.releaseSavepoint) {
      throw new Error("The `releaseSavepoint` method is not supported by this driver");
    }
    return this.#inner.releaseSavepoint(connection, name, compileQuery);
  }

  destroy(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.destroy(options);
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
    return new QueuedDriver(super.createDriver(), this.connectionQueue);
  }

  override createAdapter(): DialectAdapter {
    return new QueuedSqliteAdapter();
  }
}
