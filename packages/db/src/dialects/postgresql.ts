import { PostgreSqlDriver } from "@mikro-orm/postgresql";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import { prepareStatements } from "./postgresql-prepared.ts";
import {
  type ConnectionOptions,
  type DialectOptions,
  preparedStatementsPerConnection,
  silentQueryTimeoutMs,
} from "./types.ts";

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
      onPoolCreated: (pool: ClientPool) => {
        releaseClientsThatEnd(pool);
        endClientsThatGoSilent(pool, silentQueryTimeoutMs(connection));
        // After the line above, so that each statement it sends has the silence guard.
        pool.on("connect", (client) => prepareStatements(client, preparedStatementsPerConnection));
      },
    },
    // Every session in UTC and in ISO style, whatever the server's or the database's defaults:
    // timestamps then come as `2026-12-01 10:00:00.12+00`, which reads rewrite as the API's ISO
    // form without building a Date (repositories/timestamps.ts). A database set to another
    // DateStyle (`SQL, DMY`: `01/12/2026 10:00:00.12 UTC`) made sign-in a 500, and before these
    // settings a Date read that text as 12 January.
    onCreateConnection: async (conn) => {
      await (conn as DatabaseConnection).executeQuery(
        CompiledQuery.raw("set time zone 'UTC'; set datestyle = 'ISO'"),
      );
    },
  };
}

/** The part of a `pg` pool client used here (`pg` ships no types, and `@types/pg` is not needed). */
type PooledClient = {
  release(error?: Error): void;
  end(): Promise<void>;
  query(...args: unknown[]): unknown;
  getTransactionStatus(): string | null;
  once(event: "end", listener: () => void): unknown;
};
type ClientPool = {
  on(event: "connect" | "acquire", listener: (client: PooledClient) => void): unknown;
  on(event: "release", listener: (error: unknown, client: PooledClient) => void): unknown;
};

/**
 * Gives the pool back a connection that ends (backend terminated, PostgreSQL restarted, network
 * reset) while a transaction holds it. Kysely releases a transaction's connection only after a
 * successful COMMIT or ROLLBACK, and both fail on a dead connection, so without this every such
 * transaction leaked a pool slot: after `poolMax` of them, every call timed out waiting for the
 * pool, for good (found by apps/server/test/database-faults.test.ts).
 */
function releaseClientsThatEnd(pool: ClientPool): void {
  const checkedOut = new WeakSet<PooledClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    client.once("end", () => {
      if (!checkedOut.has(client)) return;
      const release = client.release.bind(client);
      // Whoever holds the client may still release it; `pg-pool` throws on a second release.
      client.release = () => {};
      release(new Error("connection ended while checked out"));
    });
  });
}

/**
 * Ends a connection whose query has had no answer for `silentMs`. Without this, such a query
 * waits until TCP gives up, minutes later. Ending a client with a query in flight destroys its
 * socket (`pg` 8.23's `Client.end`): the query fails at once with "Connection terminated" (a 503)
 * and the pool drops the connection (releaseClientsThatEnd).
 *
 * `pg`'s own `query_timeout` does not do this: it fails the query but keeps the connection, its
 * query still waiting for an answer, so every later query on it times out too; and it would fire
 * on pg-cursor's streamed queries, which never clear it. The clock starts when a query is handed
 * to the client, so it also counts any wait behind another query on the same connection: nothing
 * here sends a second query on a connection before the first has answered. Kysely, under
 * MikroORM, queries through the promise form only.
 */
function endClientsThatGoSilent(pool: ClientPool, silentMs: number): void {
  pool.on("connect", (client) => {
    const query = client.query;
    client.query = function queryOrEndIfSilent(this: PooledClient, ...args: unknown[]) {
      const result = query.apply(this, args);
      if (result instanceof Promise) {
        const timer = setTimeout(() => void client.end(), silentMs);
        timer.unref();
        const settled = () => clearTimeout(timer);
        result.then(settled, settled);
      }
      return result;
    };
  });
}
