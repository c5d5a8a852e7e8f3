import { MariaDbDriver } from "@mikro-orm/mariadb";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import type { ConnectionOptions, DialectOptions } from "./types.ts";

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
