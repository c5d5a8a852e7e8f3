import type { CreateOrmOptions } from "@app/db";
import type { Config } from "./config.ts";

/** How the configuration connects to the database: the server, MikroORM's CLI and the seed alike. */
export function databaseOptions(config: Config): CreateOrmOptions {
  return {
    url: config.DATABASE_URL,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    poolMax: config.DATABASE_POOL_MAX,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  };
}
