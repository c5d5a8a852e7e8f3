import Fastify, { type FastifyPluginAsync } from "fastify";
import { type TimeoutSettings, timeoutOptions } from "../http-timeouts.ts";
import type { ServerMetrics } from "./metrics.ts";

export const metricsPath = "/metrics";

/** What a scrape throws when the metrics cannot be had right now (a cluster's primary did not answer): 503. */
export class MetricsUnavailable extends Error {}

/** `GET /metrics`: the server's metrics in the Prometheus text format. No credential. */
export const metricsRoute: FastifyPluginAsync<{ metrics: ServerMetrics }> = async (app, { metrics }) => {
  app.get(metricsPath, async (_request, reply) => {
    let text: string;
    try {
      text = await metrics.scrape();
    } catch (error) {
      if (!(error instanceof MetricsUnavailable)) throw error;
      return reply.code(503).send({ error: { code: "SERVICE_UNAVAILABLE", message: error.message } });
    }
    return reply.header("cache-control", "no-store").type(metrics.contentType).send(text);
  });
};

export type MetricsListener = {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  url: string;
  close(): Promise<void>;
};

/**
 * METRICS_PORT: `/metrics` on a listener of its own, on HOST and that port, so that the public
 * port need not expose it (a firewall or the orchestrator lets only the scraper reach it).
 */
export async function startMetricsListener(options: {
  host: string;
  port: number;
  metrics: ServerMetrics;
  logLevel: string;
  /** The public port's timeouts: without them, a body trickled to this port was held for ever. */
  timeouts: TimeoutSettings;
}): Promise<MetricsListener> {
  const app = Fastify({
    logger: { level: options.logLevel },
    ...timeoutOptions(options.timeouts),
    // Scrapes are short: at shutdown, a scraper's keep-alive connection need not be waited for.
    forceCloseConnections: true,
  });
  await app.register(metricsRoute, { metrics: options.metrics });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
