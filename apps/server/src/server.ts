import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { assertPasswordHashing, changeFeedOf, closeChangeFeed } from "@app/api";
import { createOrm, migrateToLatest, type Orm } from "@app/db";
import type { FastifyInstance } from "fastify";
import { ensureAdminAccount } from "./admin-account.ts";
import { buildApp } from "./app.ts";
import { startChangeRetention } from "./change-retention.ts";
import type { Config } from "./config.ts";
import type { Lifecycle } from "./health.ts";

export type RunningServer = {
  app: FastifyInstance;
  orm: Orm;
  config: Config;
  /** Where it listens, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/** Connects, applies pending migrations, and listens. */
export async function startServer(config: Config): Promise<RunningServer> {
  assertPasswordHashing();
  const orm = await createOrm({
    url: config.DATABASE_URL,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
    poolMax: config.DATABASE_POOL_MAX,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  try {
    const applied = await migrateToLatest(orm);
    const admin =
      config.ADMIN_EMAIL && config.ADMIN_PASSWORD
        ? await ensureAdminAccount(orm, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD })
        : undefined;
    // This process's change feed, with the configured settings (it reads nothing until someone subscribes).
    changeFeedOf(orm, { pollMs: config.CHANGES_POLL_MS, bufferLimit: config.CHANGES_SUBSCRIBER_BUFFER });
    const lifecycle: Lifecycle = { shuttingDown: false };
    const app = await buildApp({ config, orm, lifecycle });
    if (applied.length > 0) app.log.info({ migrations: applied }, "applied pending migrations");
    if (admin === "refused") {
      app.log.warn(
        `ADMIN_EMAIL ${config.ADMIN_EMAIL} belongs to an account that is not an admin and whose password is not ADMIN_PASSWORD: not made admin`,
      );
    } else if (admin && admin !== "unchanged") app.log.info(`admin account ${config.ADMIN_EMAIL}: ${admin}`);
    await app.listen({ host: config.HOST, port: config.PORT });
    const stopRetention = startChangeRetention(orm, config.CHANGES_RETENTION_DAYS, app.log);
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
    let closing: Promise<void> | undefined;
    // Each connection and its requests in flight, so that shutting down can close the connections
    // that carry none (Node's closeIdleConnections skips one that never sent a request).
    const sockets = new Map<Socket, number>();
    app.server.on("connection", (socket: Socket) => {
      sockets.set(socket, 0);
      socket.once("close", () => sockets.delete(socket));
    });
    app.server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
      response.once("close", () => {
        if (sockets.has(socket)) sockets.set(socket, Math.max(0, (sockets.get(socket) ?? 1) - 1));
      });
    });
    const shutDown = async () => {
      // Readiness fails first, so a load balancer stops sending before anything else stops.
      lifecycle.shuttingDown = true;
      // Open subscriptions end first (each client resumes elsewhere from its last id): they
      // would otherwise hold the drain until the shutdown timeout.
      stopRetention();
      closeChangeFeed(orm);
      // Connections that open or fall idle while closing (a client whose stream just ended, or
      // that aborted a stream: Node's fetch then opens a spare connection it never sends on)
      // would hold the close until the 60 s headers timeout: close those as they come.
      const sweep = setInterval(() => {
        for (const [socket, requests] of sockets) if (requests === 0) socket.destroy();
      }, 200);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        await orm.close();
      }
    };
    const close = () => {
      closing ??= shutDown();
      return closing;
    };
    return { app, orm, config, url: `http://${host}:${port}`, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await orm.close();
    throw error;
  }
}
