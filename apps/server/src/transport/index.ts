import type { AuthSettings, CallObserver } from "@app/api";
import type { Orm } from "@app/db";
import type { FastifyPluginAsync } from "fastify";
import type { RestOperation } from "./rest/operations.ts";
import { restPlugin } from "./rest/plugin.ts";
import { trpcRoute } from "./trpc-route.ts";

export type TransportOptions = {
  orm: Orm;
  /** Show unexpected errors' messages (and, over tRPC, stacks) to callers: development only. */
  exposeErrors: boolean;
  maxBatchSize: number;
  auth: AuthSettings;
  /** Origins whose pages may call with the session cookie (CORS_ORIGINS); the server's own always may. */
  allowedOrigins: ReadonlySet<string>;
  /** The REST operations to serve under /api (resolved once at start-up; see rest/operations.ts). */
  operations: readonly RestOperation[];
  /** Told how each procedure call ended (the server's metrics). */
  observeCall?: CallObserver | undefined;
};

/**
 * The one way from HTTP to a procedure and back: tRPC at /trpc (single, batched, streamed
 * batches, subscriptions over server-sent events) and REST under /api. Both call procedures
 * through procedures.ts, with the same context, unit of work and error vocabulary.
 */
export const transport: FastifyPluginAsync<TransportOptions> = async (app, options) => {
  const { operations, ...shared } = options;
  await app.register(trpcRoute, shared);
  await app.register(restPlugin, { prefix: "/api", ...shared, operations });
};
