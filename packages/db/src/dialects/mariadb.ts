import { MariaDbDriver } from "@mikro-orm/mariadb";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import { type ConnectionOptions, type DialectOptions, silentQueryTimeoutMs } from "./types.ts";

/** MariaDB (and MySQL URLs) through `mysql2`'s pool. */
export function mariadbOptions(url: string, connection: ConnectionOptions): DialectOptions {
  const statementSeconds = connection.statementTimeoutMs / 1000;
  return {
    driver: MariaDbDriver,
    clientUrl: url,
    pool: { min: 0, max: connection.poolMax },
    driverOptions: { connectTimeout: connection.connectTimeoutMs },
    // DATETIME has no time zone: store UTC, whatever the server's or the machine's zone.
    forceUtcTimezone: true,
    onCreateConnection: async (conn) => {
      // MariaDB's per-session statement limit, in seconds (MySQL would say max_execution_time).
      await (conn as DatabaseConnection).executeQuery(
        CompiledQuery.raw(`set session max_statement_time = ${statementSeconds}`),
      );
    },
  };
}

/** The parts of `mysql2`'s pool and its connections used here (`mysql2` is MikroORM's dependency). */
type PooledConnection = {
  query(...args: unknown[]): unknown;
  release(): void;
  stream: { destroy(error?: Error): void };
};
type ConnectionPool = {
  getConnection(callback: (error: Error | null, connection?: PooledConnection) => void): void;
};

function isConnectionPool(value: unknown): value is ConnectionPool {
  return (
    typeof value === "object" && value !== null && typeof Reflect.get(value, "getConnection") === "function"
  );
}

/**
 * Bounds the two waits `mysql2`'s pool leaves open, which under a network partition held every
 * call, /health included, until the partition healed (apps/server/test/database-faults.test.ts):
 * the wait for a free connection when all are taken (`mysql2` has no acquire timeout: the connect
 * timeout bounds only the opening of a new one), and a query sent into the silence. `pool` is the
 * one MikroORM built (`getNativeClient()`); Kysely asks it for connections through these methods.
 */
export function guardMariaDbPool(pool: unknown, connection: ConnectionOptions): void {
  if (!isConnectionPool(pool)) throw new Error("expected mysql2's connection pool");
  const silentMs = silentQueryTimeoutMs(connection);
  const guarded = new WeakSet<PooledConnection>();
  limitWaitForConnection(pool, connection.connectTimeoutMs, (pooled) => {
    // Each connection once, whenever it was opened (the first ones serve the migrations).
    if (guarded.has(pooled)) return;
    guarded.add(pooled);
    dropIfSilent(pooled, silentMs);
  });
}

/**
 * A wait for a free connection fails after `timeoutMs`, as `pg`'s pool does (a 503); `onGranted`
 * sees every connection handed out.
 */
function limitWaitForConnection(
  pool: ConnectionPool,
  timeoutMs: number,
  onGranted: (pooled: PooledConnection) => void,
): void {
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) => {
    let waiting = true;
    const timer = setTimeout(() => {
      waiting = false;
      callback(
        new Error(`timeout exceeded when trying to connect: no connection free within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    // A waiter that gave up stays in mysql2's queue (its private `_connectionQueue`) until a
    // connection comes its way, which then goes straight back: a hop, not a leak.
    getConnection((error, pooled) => {
      if (!waiting) return pooled?.release();
      waiting = false;
      clearTimeout(timer);
      if (pooled) onGranted(pooled);
      callback(error, pooled);
    });
  };
}

/**
 * A query with no answer after `silentMs` (silentQueryTimeoutMs; MariaDB interrupts a statement
 * at `max_statement_time`) fails its connection: destroying the socket with an error makes
 * `mysql2` fail every command on it (ETIMEDOUT, a 503) and drop it from the pool.
 */
function dropIfSilent(pooled: PooledConnection, silentMs: number): void {
  const query = pooled.query;
  pooled.query = function queryOrDropIfSilent(this: PooledConnection, ...args: unknown[]) {
    const callback = args.at(-1);
    // Kysely queries with a callback. Its streamed queries (no callback) and its separate
    // connection for killing a query are not guarded; nothing here uses either.
    if (typeof callback !== "function") return query.apply(this, args);
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer from the database within ${silentMs} ms`), {
        code: "ETIMEDOUT",
      });
      pooled.stream.destroy(error);
    }, silentMs);
    timer.unref();
    args[args.length - 1] = (...results: unknown[]) => {
      clearTimeout(timer);
      return Reflect.apply(callback, undefined, results);
    };
    try {
      return query.apply(this, args);
    } catch (error) {
      // Refused before it was sent (a value mysql2 cannot format): nothing to wait for.
      clearTimeout(timer);
      throw error;
    }
  };
}
