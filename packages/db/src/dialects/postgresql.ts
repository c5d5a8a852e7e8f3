import { PostgreSqlDriver } from "@mikro-orm/postgresql";
import type { ConnectionOptions, DialectOptions } from "./types.ts";

/**
 * PostgreSQL through `pg`'s pool: its connection timeout also bounds the wait for a busy pool.
 *
 * PostgreSQL cancels a statement at `statement_timeout` and says so at once. A query with no
 * answer a connect timeout after that went into a silent network (a partition, a host gone without
 * a reset): `pg`'s `query_timeout` fails it then, instead of when TCP gives up, minutes later.
 */
export function postgresqlOptions(url: string, connection: ConnectionOptions): DialectOptions {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    pool: { min: 0, max: connection.poolMax },
    driverOptions: {
      connectionTimeoutMillis: connection.connectTimeoutMs,
      statement_timeout: connection.statementTimeoutMs,
      query_timeout: silentQueryTimeoutMs(connection),
      application_name: "users-items-rpc",
      onPoolCreated: (pool: ClientPool) => {
        releaseClientsThatEnd(pool);
        endClientsThatGoSilent(pool);
      },
    },
  };
}

/** How long a query may go unanswered before its connection is presumed dead, in ms. */
function silentQueryTimeoutMs(connection: ConnectionOptions): number {
  return connection.statementTimeoutMs + connection.connectTimeoutMs;
}

/** The part of a `pg` pool client used here (`pg` ships no types, and `@types/pg` is not needed). */
type PooledClient = {
  release(error?: Error): void;
  end(): Promise<void>;
  query(...args: unknown[]): unknown;
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
 * pool, for good (found by apps/server/test/postgres-faults.test.ts).
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

/** `pg`'s error for a query that got no answer within `query_timeout`. */
function isSilentQueryError(error: unknown): boolean {
  return error instanceof Error && error.message === "Query read timeout";
}

/**
 * Ends a connection whose query went unanswered (`query_timeout`). `pg` fails that query but keeps
 * the connection, with the query still waiting for its answer, so every later query on it would
 * wait and time out too. Ending it with a query in flight destroys the socket (`pg` 8.23's
 * `Client.end`); the connection then ends, and the pool drops it, as for any connection that ends
 * (releaseClientsThatEnd). Kysely, under MikroORM, queries through the promise form only.
 */
function endClientsThatGoSilent(pool: ClientPool): void {
  pool.on("connect", (client) => {
    const query = client.query;
    client.query = function queryThenEndIfSilent(this: PooledClient, ...args: unknown[]) {
      const result = query.apply(this, args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isSilentQueryError(error)) void client.end();
        });
      }
      return result;
    };
  });
}
