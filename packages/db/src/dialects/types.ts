import type { Options } from "@mikro-orm/sql";

/** Connection tuning, for the server databases; SQLite ignores what does not apply. */
export type ConnectionOptions = {
  /** Most connections in the pool (PostgreSQL, MariaDB). */
  poolMax: number;
  /** How long to wait for a connection, new or from a full pool, before failing, in ms. */
  connectTimeoutMs: number;
  /** Longest a single statement may run before the database cancels it, in ms. */
  statementTimeoutMs: number;
};

/**
 * Most statements one connection keeps prepared, on PostgreSQL and MariaDB alike. The project's
 * hot statements number a few dozen (one per query shape and per `in (…)` length); the bound keeps
 * the database's memory for a connection finite whatever texts come its way.
 */
export const preparedStatementsPerConnection = 256;

/**
 * How long a query may go unanswered before its connection is presumed dead, in ms. The database
 * cancels a statement at the statement timeout and says so at once, so silence a connect timeout
 * past that means the network is gone (a partition, a host lost without a reset), not a slow query.
 */
export function silentQueryTimeoutMs(connection: ConnectionOptions): number {
  return connection.statementTimeoutMs + connection.connectTimeoutMs;
}

/** The MikroORM options a dialect contributes on top of the shared ones. */
export type DialectOptions = Pick<
  Options,
  "dbName" | "clientUrl" | "driver" | "pool" | "driverOptions" | "onCreateConnection" | "forceUtcTimezone"
>;
