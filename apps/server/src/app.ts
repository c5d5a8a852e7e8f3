import { hostname } from "node:os";
import type { Orm } from "@app/db";
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance } from "fastify";
import { apiDocs } from "./api-docs/index.ts";
import type { Config } from "./config.ts";
import { healthRoutes, type Lifecycle } from "./health.ts";
import { logTimeouts, timeoutOptions } from "./http-timeouts.ts";
import { countHttpRequests } from "./observability/http-metrics.ts";
import { logTraceIds } from "./observability/log-trace-ids.ts";
import type { ServerMetrics } from "./observability/metrics.ts";
import { metricsPath, metricsRoute } from "./observability/metrics-route.ts";
import { traceRequests } from "./observability/request-spans.ts";
import { requestIdFor } from "./request-id.ts";
import { OneLinePerRequest } from "./request-logging.ts";
import { addSecurityHeaders } from "./security-headers.ts";
import { transport } from "./transport/index.ts";
import { resolveOperations } from "./transport/rest/operations.ts";
import { webApp } from "./web-app.ts";

/** 1 MB: far above any valid call (a batch of 10 creates is a few KB), far below a memory problem. */
const bodyLimit = 1024 * 1024;

export type BuildAppOptions = {
  config: Config;
  orm: Orm;
  /** Shared with whoever shuts the server down (server.ts); a fresh one when omitted. */
  lifecycle?: Lifecycle;
  /** Counts calls and requests, and serves /metrics unless METRICS_PORT moves it; none when omitted. */
  metrics?: ServerMetrics | undefined;
  /** Fields every log line carries besides pid and hostname, e.g. a cluster worker's `{ worker: 2 }`. */
  logBindings?: Record<string, number> | undefined;
};

/**
 * The HTTP surface: tRPC at /trpc, REST and docs under /api, /openapi.json, /docs, /redoc, /health
 * and the web app at /, with transport limits and security headers. Not yet listening.
 */
export async function buildApp({
  config,
  orm,
  lifecycle = { shuttingDown: false },
  metrics,
  logBindings,
}: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // With tracing on, each log line written inside a trace carries its trace_id and span_id.
    logger: {
      level: config.LOG_LEVEL,
      ...(config.tracing && { mixin: logTraceIds }),
      ...(logBindings && { base: { pid: process.pid, hostname: hostname(), ...logBindings } }),
    },
    bodyLimit,
    // A batch names every procedure in the path (`users.byId,users.byId,…`): fastify's default of
    // 100 characters turned batches of about 8 calls into 414s.
    routerOptions: { maxParamLength: 2000 },
    genReqId: requestIdFor,
    logController: new OneLinePerRequest(),
    // SIGTERM: keep-alive connections that are idle close at once; in-flight requests finish.
    forceCloseConnections: "idle",
    trustProxy: config.TRUST_PROXY,
    // Request, header, keep-alive and idle timeouts: a slow or stalled client is cut off.
    ...timeoutOptions(config),
  });
  logTimeouts(app, config);
  // Before any other hook, so that all of a request runs in its span; no hook at all when off.
  if (config.tracing) traceRequests(app);
  // First, so that every request is counted, those refused by later hooks included.
  if (metrics) countHttpRequests(app, metrics.http, metricsPath);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onSend", addSecurityHeaders);
  // Allowed origins may call with the session cookie too (credentials), as the same origin does.
  await app.register(cors, {
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    credentials: true,
  });
  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    // Per client address; off by default, since a local or internal deployment rarely needs it.
    // Loaded only then: with its address parsing, it is a few milliseconds of every start.
    const { default: rateLimit } = await import("@fastify/rate-limit");
    await app.register(rateLimit, {
      max: config.RATE_LIMIT_PER_MINUTE,
      timeWindow: 60_000,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        error: {
          code: "TOO_MANY_REQUESTS",
          message: `Too many requests: at most ${context.max} a minute; retry in ${context.after}`,
        },
      }),
    });
  }

  // Resolved once: a REST route whose procedure lacks schemas stops the server at start-up.
  const operations = resolveOperations();
  const exposeErrors = config.NODE_ENV === "development";
  await app.register(transport, {
    orm,
    exposeErrors,
    maxBatchSize: config.MAX_BATCH_SIZE,
    auth: { signup: config.SIGNUP, sessionTtlDays: config.SESSION_TTL_DAYS },
    allowedOrigins: new Set(config.CORS_ORIGINS),
    operations,
    observeCall: metrics?.observeCall,
  });
  await app.register(apiDocs, { operations });

  await app.register(healthRoutes, { orm, lifecycle });
  if (metrics && config.METRICS_PORT === undefined) await app.register(metricsRoute, { metrics });

  await app.register(webApp);

  return app;
}
