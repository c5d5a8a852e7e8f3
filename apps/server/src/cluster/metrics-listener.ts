import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Config } from "../config.ts";
import { timeoutOptions } from "../http-timeouts.ts";
import { expositionContentType } from "./merge-metrics.ts";

export type PrimaryMetricsListener = {
  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  url: string;
  close(): void;
};

/**
 * METRICS_PORT in a cluster: the primary listens on it itself, and answers `GET /metrics` with
 * every worker's metrics (`scrape`). Were the workers to listen, the port would be shared among
 * them like the public one, and each scrape would reach one worker. Node's HTTP server rather than
 * fastify: the primary loads nothing of the server, and one route needs none of it. The same
 * header, request and keep-alive timeouts as the public port hold off slow clients.
 */
export function listenForScrapes(
  config: Pick<
    Config,
    "HOST" | "REQUEST_TIMEOUT_MS" | "HEADERS_TIMEOUT_MS" | "KEEP_ALIVE_TIMEOUT_MS" | "IDLE_TIMEOUT_MS"
  > & { port: number },
  scrape: () => Promise<string>,
): Promise<PrimaryMetricsListener> {
  const server = createServer(
    {
      // Header and request timeouts, checked as often as on the public port (Node's own default,
      // every 30 s, let a silent connection outlast a 10 s HEADERS_TIMEOUT_MS threefold).
      ...timeoutOptions(config).http,
      keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    },
    (request, response) => void answer(request, response, scrape),
  );
  server.setTimeout(config.IDLE_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.HOST, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
      resolve({
        url: `http://${host}:${port}`,
        close() {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  scrape: () => Promise<string>,
): Promise<void> {
  const path = (request.url ?? "").split("?")[0];
  if (path !== "/metrics" || (request.method !== "GET" && request.method !== "HEAD")) {
    return refuse(
      response,
      404,
      "NOT_FOUND",
      `No route ${request.method} ${path}: this port serves GET /metrics only`,
    );
  }
  let text: string;
  try {
    text = await scrape();
  } catch (error) {
    // Not expected (a worker that does not answer is left out), but the primary must not fall over.
    const reason = error instanceof Error ? error.message : String(error);
    return refuse(response, 503, "SERVICE_UNAVAILABLE", `The metrics could not be gathered: ${reason}`);
  }
  response.writeHead(200, { "content-type": expositionContentType, "cache-control": "no-store" });
  response.end(request.method === "HEAD" ? undefined : text);
}

/** An error in the shape the rest of the server answers with: `{ "error": { "code", "message" } }`. */
function refuse(response: ServerResponse, status: number, code: string, message: string): void {
  response
    .writeHead(status, { "content-type": "application/json; charset=utf-8" })
    .end(JSON.stringify({ error: { code, message } }));
}
