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
      onPoolCreated: releaseClientsThatEnd,
    },
  };
}

/** The part of a `pg` pool client used here (`pg` ships no types, and `@types/pg` is not needed). */
type PooledClient = {
  release(error?: Error): void;
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
