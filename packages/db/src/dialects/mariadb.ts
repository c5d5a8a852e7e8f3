import { MariaDbDriver } from "@mikro-orm/mariadb";
import type { Configuration } from "@mikro-orm/sql";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import {
  type ConnectionOptions,
  type DialectOptions,
  preparedStatementsPerConnection,
  silentQueryTimeoutMs,
} from "./types.ts";

/**
 * MikroORM's MariaDB driver, whose connection knows its platform from the start. MikroORM hands a
 * connection its platform only when an ORM is initialized (`setMetadata`), but its CLI's `debug`
 * connects a configuration's driver alone, and the MySQL connection reads the platform while it
 * builds mysql2's options: `npm run db -- debug` printed "database connection failed (false)" on
 * a database that was there (cli/options.test.ts).
 */
class MariaDbDriverWithPlatform extends MariaDbDriver {
  constructor(config: Configuration) {
    super(config);
    this.connection.setPlatform(this.platform);
  }
}

/** MariaDB (and MySQL URLs) through `mysql2`'s pool. */
export function mariadbOptions(url: string, connection: ConnectionOptions): DialectOptions {
  const statementSeconds = connection.statementTimeoutMs / 1000;
  return {
    driver: MariaDbDriverWithPlatform,
    clientUrl: url,
    pool: { min: 0, max: connection.poolMax },
    driverOptions: {
      connectTimeout: connection.connectTimeoutMs,
      // mysql2's own bound (least recently used closed first) on the statements that
      // executePrepared prepares; its default, 16,000 a connection, would let ten connections
      // reach MariaDB's server-wide max_prepared_stmt_count (16,382).
      maxPreparedStatements: preparedStatementsPerConnection,
    },
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
  execute(...args: unknown[]): unknown;
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
    dropIfSilent(pooled, "query", silentMs);
    dropIfSilent(pooled, "execute", silentMs);
    executePrepared(pooled);
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
 * `mysql2` fail every command on it (ETIMEDOUT, a 503) and drop it from the pool. Guards both
 * doors a statement goes through: `query`, and `execute` for prepared ones (executePrepared).
 */
function dropIfSilent(pooled: PooledConnection, method: "query" | "execute", silentMs: number): void {
  const send = pooled[method];
  pooled[method] = function sendOrDropIfSilent(this: PooledConnection, ...args: unknown[]) {
    const callback = args.at(-1);
    // Kysely queries with a callback. Its streamed queries (no callback) and its separate
    // connection for killing a query are not guarded; nothing here uses either.
    if (typeof callback !== "function") return send.apply(this, args);
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
      return send.apply(this, args);
    } catch (error) {
      // Refused before it was sent (a value mysql2 cannot format): nothing to wait for.
      clearTimeout(timer);
      throw error;
    }
  };
}

/**
 * Runs Kysely's statements that carry values as prepared statements (`mysql2`'s `execute`, the
 * binary protocol): Kysely calls `query`, which writes the values into the text client-side, so
 * MariaDB parsed every call anew. Prepared, a `users.byId` costs the database a fifth less CPU,
 * and the server more on long results (docs/performance.md, 2026-12-01). `mysql2` prepares each
 * text once per connection and keeps the last `maxPreparedStatements` of them (mariadbOptions);
 * MariaDB prepares a statement again by itself when a migration changes a table under it.
 *
 * What the two doors hand back is the same for this project's columns (integers, strings,
 * DATETIME as strings, decimals as strings, BIGINT as a number while it is safe), with one
 * difference in spelling: a DATETIME with no fraction comes back as `2026-12-01 10:00:00`
 * rather than `… 10:00:00.000`, the same instant to `toDate`. Values only `query` can take stay
 * on `query`: an array (which it expands into a list for `in (?)`), a plain object, `undefined`.
 * So does a statement MariaDB will not prepare, though it runs with its values written in: one
 * it does not support as prepared (ER_UNSUPPORTED_PS), or one with a placeholder where only a
 * literal may stand (`is ?`: ER_PARSE_ERROR). Such a text is remembered on the connection, so
 * that it costs one refused prepare, not one a call.
 */
function executePrepared(pooled: PooledConnection): void {
  const query = pooled.query;
  const unpreparable = new Set<string>();
  pooled.query = function queryOrExecute(this: PooledConnection, ...args: unknown[]) {
    const [sql, values, callback] = args;
    if (
      args.length !== 3 ||
      typeof sql !== "string" ||
      typeof callback !== "function" ||
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every(isBindable) ||
      unpreparable.has(sql)
    ) {
      return query.apply(this, args);
    }
    return this.execute(sql, values, (error: unknown, ...results: unknown[]) => {
      if (!isRefusedPrepare(error)) return Reflect.apply(callback, undefined, [error, ...results]);
      if (unpreparable.size >= preparedStatementsPerConnection) unpreparable.clear();
      unpreparable.add(sql);
      return query.call(this, sql, values, callback);
    });
  };
}

/** A value that `execute` binds as `query` would write it. */
function isBindable(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return true;
    case "object":
      return (
        value === null || (value instanceof Date && !Number.isNaN(value.getTime())) || Buffer.isBuffer(value)
      );
    default:
      return false;
  }
}

/** A prepare MariaDB refused for the statement's form; nothing ran. */
function isRefusedPrepare(error: unknown): boolean {
  const code: unknown = typeof error === "object" && error !== null ? Reflect.get(error, "code") : undefined;
  return code === "ER_UNSUPPORTED_PS" || code === "ER_PARSE_ERROR";
}
