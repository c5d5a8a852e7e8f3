import type { MikroORM } from "@mikro-orm/sql";
import type { Dialect } from "./database-url.ts";

/** How busy the database connections of one ORM are, read at each `/metrics` scrape. */
export type PoolStats = {
  /** Connections open now. */
  size: number;
  /** Connections lent to a transaction or a statement now. */
  inUse: number;
  /** Transactions and statements waiting for a connection because every one is in use. */
  waiting: number;
  /** Most connections the pool opens (DATABASE_POOL_MAX; 1 on SQLite). */
  max: number;
};

const none: PoolStats = { size: 0, inUse: 0, waiting: 0, max: 0 };

// How to read each ORM's pool, found once when the ORM opens (watchPool, from createOrm).
const readers = new WeakMap<object, () => PoolStats>();

/** The pool statistics of `orm` (zeros for an ORM that createOrm did not open). Cheap: a few reads. */
export function poolStatsOf(orm: object): PoolStats {
  return readers.get(orm)?.() ?? { ...none };
}

/**
 * Finds `orm`'s pool so that poolStatsOf can read it synchronously; called by createOrm once the
 * ORM is connected. Throws when the driver's pool is not shaped as expected (a driver upgrade
 * that moved what is read here), so that the tests say so rather than /metrics showing zeros.
 */
export async function watchPool(orm: MikroORM, dialect: Dialect): Promise<void> {
  readers.set(orm, await readerFor(orm, dialect));
}

async function readerFor(orm: MikroORM, dialect: Dialect): Promise<() => PoolStats> {
  switch (dialect) {
    case "sqlite": {
      const queue = Reflect.get(orm.config.get("driverOptions"), "connectionQueue");
      if (!isConnectionQueue(queue))
        throw new Error("expected the queued SQLite dialect (dialects/sqlite.ts)");
      // One connection, opened with the ORM; `waiting` counts those queued behind it in this process.
      return () => ({ size: 1, inUse: queue.inUse ? 1 : 0, waiting: queue.waiting, max: 1 });
    }
    case "postgresql": {
      const pool = await orm.driver.getConnection().getNativeClient();
      if (!isPgPool(pool)) throw new Error("expected pg's Pool (totalCount, idleCount, waitingCount)");
      // `pg-pool` counts a connection being opened in totalCount, and only callers queued for a
      // busy pool in waitingCount.
      return () => ({
        size: pool.totalCount,
        inUse: pool.totalCount - pool.idleCount,
        waiting: pool.waitingCount,
        max: pool.options.max,
      });
    }
    case "mariadb": {
      const pool = await orm.driver.getConnection().getNativeClient();
      if (!isMysqlPool(pool)) throw new Error("expected mysql2's Pool (_allConnections, _freeConnections)");
      // mysql2 has no public counts: these are its own queues. A caller that gave up after the
      // connect timeout (dialects/mariadb.ts) stays in `_connectionQueue`, and so in `waiting`,
      // until a connection frees up and passes it by: only while every connection is still taken.
      return () => {
        const size = pool._allConnections.length;
        return {
          size,
          inUse: size - pool._freeConnections.length,
          waiting: pool._connectionQueue.length,
          max: pool.config.connectionLimit,
        };
      };
    }
  }
}

type Sized = { readonly length: number };

type PgPool = {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { readonly max: number };
};

type MysqlPool = {
  readonly _allConnections: Sized;
  readonly _freeConnections: Sized;
  readonly _connectionQueue: Sized;
  readonly config: { readonly connectionLimit: number };
};

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function hasNumbers(value: unknown, ...keys: string[]): boolean {
  return isObject(value) && keys.every((key) => typeof Reflect.get(value, key) === "number");
}

function isConnectionQueue(value: unknown): value is { readonly inUse: boolean; readonly waiting: number } {
  return isObject(value) && typeof Reflect.get(value, "inUse") === "boolean" && hasNumbers(value, "waiting");
}

function isPgPool(value: unknown): value is PgPool {
  return (
    hasNumbers(value, "totalCount", "idleCount", "waitingCount") &&
    isObject(value) &&
    hasNumbers(Reflect.get(value, "options"), "max")
  );
}

function isMysqlPool(value: unknown): value is MysqlPool {
  return (
    isObject(value) &&
    ["_allConnections", "_freeConnections", "_connectionQueue"].every((key) =>
      hasNumbers(Reflect.get(value, key), "length"),
    ) &&
    hasNumbers(Reflect.get(value, "config"), "connectionLimit")
  );
}
