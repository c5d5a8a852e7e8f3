import type { ConnectionOptions } from "./dialects/types.ts";

/**
 * The connection tuning a server gets unless configured otherwise. A module of its own, without
 * the ORM, so that what only validates a configuration (the server's cluster primary) can read
 * these without loading MikroORM.
 */
export const connectionDefaults: ConnectionOptions = {
  poolMax: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
};
