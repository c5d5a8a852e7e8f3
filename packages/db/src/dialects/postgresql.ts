import { PostgreSqlDriver } from "@mikro-orm/postgresql";
import type { ConnectionOptions, DialectOptions } from "./types.ts";

/** PostgreSQL through `pg`'s pool: its connection timeout also bounds the wait for a busy pool. */
export function postgresqlOptions(url: string, connection: ConnectionOptions): DialectOptions {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    pool: { min: 0, max: connection.poolMax },
    driverOptions: {
      connectionTimeoutMillis: connection.connectTimeoutMs,
      statement_timeout: connection.statementTimeoutMs,
      application_name: "users-items-rpc",
    },
  };
}
