import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { assertPasswordHashing, changeFeedOf, closeChangeFeed } from "@app/api";
import { createOrm, migrateToLatest, type Orm } from "@app/db";
import type { FastifyInstance } from "fastify";
import { ensureAdminAccount } from "./admin-account.ts";
import { buildApp } from "./app.ts";
import { startChangeRetention } from "./change-retention.ts";
import type { Config } from "./config.ts";
import { databaseOptions } from "./database-options.ts";
import type { Lifecycle } from "./health.ts";
import { limitHeapGrowth } from "./heap-growth.ts";
import { createServerMetrics, type ServerMetrics } from "./observability/metrics.ts";
import { type MetricsListener, startMetricsListener } from "./observability/metrics-route.ts";
import type { Tracing } from "./observability/tracing.ts";

export type RunningServer = {
  app: FastifyInstance;
  orm: Orm;
  config: Config;
  /** Where it listens, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Where /metrics is served when METRICS_PORT gives it a listener of its own. */
  metricsUrl: string | undefined;
  /** This process's own metrics (METRICS=on): what a cluster worker gives the primary when asked. */
  metrics: ServerMetrics | undefined;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * What a server process does besides serving. A sole server does all of it; in a cluster
 * (cluster/worker.ts) one worker prepares the database and prunes, and the others wait for it.
 */
export type ServerDuties = {
  /** Applies pending migrations and ensures the ADMIN_EMAIL account. */
  prepare: boolean;
  /** Prunes changes older than CHANGES_RETENTION_DAYS. */
  prune: boolean;
  /** Runs just before listening: a cluster worker stopped while it started ends its start there. */
  beforeListen?: () => Promise<void>;
  /** Fields every log line carries, e.g. `{ worker: 2 }`. */
  logBindings?: Record<string, number>;
  /**
   * A cluster worker's: what /metrics answers on the public port instead of this process's own
   * metrics (every worker's, which the primary gathers). Such a worker does not listen on
   * METRICS_PORT: the primary does.
   */
  clusterMetrics?: () => Promise<string>;
};

const soleServer: ServerDuties = { prepare: true, prune: true };

/** Connects, applies pending migrations, and listens. */
export async function startServer(config: Config, duties: ServerDuties = soleServer): Promise<RunningServer> {
  assertPasswordHashing();
  const orm = await createOrm(databaseOptions(config));
  let metrics: ServerMetrics | undefined;
  let metricsListener: MetricsListener | undefined;
  let tracing: Tracing | undefined;
  try {
    const applied = duties.prepare ? await migrateToLatest(orm) : [];
    const admin =
      duties.prepare && config.ADMIN_EMAIL && config.ADMIN_PASSWORD
        ? await ensureAdminAccount(orm, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD })
        : undefined;
    // This process's change feed, with the configured settings (it reads nothing until someone subscribes).
    changeFeedOf(orm, { pollMs: config.CHANGES_POLL_MS, bufferLimit: config.CHANGES_SUBSCRIBER_BUFFER });
    const lifecycle: Lifecycle = { shuttingDown: false };
    // After the change feed: the metrics read its subscribers.
    metrics = config.METRICS === "on" ? createServerMetrics(orm) : undefined;
    const served = metrics && duties.clusterMetrics ? { ...metrics, scrape: duties.clusterMetrics } : metrics;
    const app = await buildApp({ config, orm, lifecycle, metrics: served, logBindings: duties.logBindings });
    if (config.tracing) {
      // Before listening, so that the first request is traced; the SDK is loaded only when configured.
      const { startTracing } = await import("./observability/tracing.ts");
      tracing = await startTracing(config.tracing, app.log);
    }
    if (applied.length > 0) app.log.info({ migrations: applied }, "applied pending migrations");
    if (admin === "refused") {
      app.log.warn(
        `ADMIN_EMAIL ${config.ADMIN_EMAIL} belongs to an account that is not an admin and whose password is not ADMIN_PASSWORD: not made admin`,
      );
    } else if (admin && admin !== "unchanged") app.log.info(`admin account ${config.ADMIN_EMAIL}: ${admin}`);
    await duties.beforeListen?.();
    await app.listen({ host: config.HOST, port: config.PORT });
    limitHeapGrowth();
    if (metrics && config.METRICS_PORT !== undefined && !duties.clusterMetrics) {
      const options = {
        host: config.HOST,
        port: config.METRICS_PORT,
        metrics,
        logLevel: config.LOG_LEVEL,
        timeouts: config,
      };
      metricsListener = await startMetricsListener(options).catch(async (error: unknown) => {
        await app.close();
        // Named, or a taken METRICS_PORT reads as PORT's problem (start-failure.ts).
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`cannot serve /metrics on METRICS_PORT: ${reason}`, { cause: error });
      });
    }
    const stopRetention = duties.prune
      ? startChangeRetention(orm, config.CHANGES_RETENTION_DAYS, app.log)
      : () => {};
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
        // Scrapes are answered until the server has drained; they read the pool, so before it closes.
        await metricsListener?.close();
        metrics?.close();
        // The last requests' spans are ended: export them (bounded, however the collector fares).
        await tracing?.shutdown();
        await orm.close();
      }
    };
    const close = () => {
      closing ??= shutDown();
      return closing;
    };
    const url = `http://${host}:${port}`;
    const metricsUrl = metricsListener?.url;
    return { app, orm, config, url, metricsUrl, metrics, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    metrics?.close();
    await tracing?.shutdown();
    await orm.close();
    throw error;
  }
}
