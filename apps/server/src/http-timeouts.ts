import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Config } from "./config.ts";
import { loggedUrl } from "./logged-url.ts";

export type TimeoutSettings = Pick<
  Config,
  "REQUEST_TIMEOUT_MS" | "HEADERS_TIMEOUT_MS" | "KEEP_ALIVE_TIMEOUT_MS" | "IDLE_TIMEOUT_MS"
>;

/**
 * The timeouts of fastify and of Node's HTTP server. fastify 5 sets `requestTimeout` and
 * `connectionTimeout` to 0 by default, which also switches off Node's own request timeout: a
 * client trickling a body held its socket forever. Node checks the header and request timeouts
 * every `connectionsCheckingInterval` (30 s by default): far too coarse for a 10 s headers
 * timeout, so it checks at a quarter of the shorter one, at most once a second.
 *
 * - `requestTimeout`: the whole request, headers and body, must arrive within it (408, closed);
 * - `headersTimeout` (Node's, through fastify's `http` options): the headers alone;
 * - `keepAliveTimeout`: an idle connection between requests is closed (Node adds a second's slack);
 * - `connectionTimeout`: a connection on which nothing moves, either way, for this long is closed.
 *   A response in progress counts as moving while the client reads it; event streams ping.
 */
export function timeoutOptions(settings: TimeoutSettings) {
  const shorter = Math.min(settings.HEADERS_TIMEOUT_MS, settings.REQUEST_TIMEOUT_MS);
  return {
    requestTimeout: settings.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: settings.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: settings.IDLE_TIMEOUT_MS,
    http: {
      headersTimeout: settings.HEADERS_TIMEOUT_MS,
      requestTimeout: settings.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(shorter / 4))),
    },
  };
}

/**
 * Event streams (`changes.onChange`, `/api/changes/stream`) are quiet but for their pings, every
 * 10 s over tRPC and every 15 s over REST, however short IDLE_TIMEOUT_MS is: their connection is
 * closed only after three of the slower pings' worth of silence, which means a client that has
 * stopped reading (a ping it does not take is not sent).
 */
export const streamIdleTimeoutMs = 45_000;

/** Lets the event stream on `socket` idle as long as its pings need (see streamIdleTimeoutMs). */
export function allowStreamIdle(socket: Socket): void {
  if (socket.timeout !== undefined && socket.timeout > 0 && socket.timeout < streamIdleTimeoutMs) {
    socket.setTimeout(streamIdleTimeoutMs);
  }
}

/**
 * Logs each connection closed on a timeout, one warning line with the client's address and what
 * ran out; closing it is Node's and fastify's work (a 408 first when nothing was answered yet).
 * An idle keep-alive connection closing between requests is routine and not logged.
 */
export function logTimeouts(app: FastifyInstance, settings: TimeoutSettings): void {
  const server = app.server;
  // The last request each connection carried: one map write per request.
  const lastResponse = new WeakMap<Socket, ServerResponse>();
  server.on("request", (_request, response: ServerResponse) => {
    lastResponse.set(response.req.socket, response);
  });
  const warn = (socket: Socket, what: object, message: string) =>
    app.log.warn({ remoteAddress: socket.remoteAddress, ...what }, message);

  // First, before fastify's own listener answers 408 and destroys the socket (and its address).
  server.prependListener("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== "ERR_HTTP_REQUEST_TIMEOUT") return;
    const response = lastResponse.get(socket);
    // Node says the same for both; the headers had arrived when a request is open on the socket.
    if (response && !response.req.complete) {
      const limitMs = settings.REQUEST_TIMEOUT_MS;
      // The URL as every log line has it: a query string that names a password is left out.
      const url = loggedUrl(response.req.url ?? "");
      warn(
        socket,
        { timeout: "request", limitMs, method: response.req.method, url },
        `closed a connection from ${socket.remoteAddress}: its request's body did not arrive within REQUEST_TIMEOUT_MS (${limitMs} ms)`,
      );
    } else {
      const limitMs = settings.HEADERS_TIMEOUT_MS;
      warn(
        socket,
        { timeout: "headers", limitMs },
        `closed a connection from ${socket.remoteAddress}: its request's headers did not arrive within HEADERS_TIMEOUT_MS (${limitMs} ms)`,
      );
    }
  });

  // With a listener here, Node leaves closing the socket to it (Server 'timeout').
  server.on("timeout", (socket: Socket) => {
    const response = lastResponse.get(socket);
    if (response && !response.writableFinished) {
      const limitMs = socket.timeout ?? settings.IDLE_TIMEOUT_MS;
      const url = loggedUrl(response.req.url ?? "");
      warn(
        socket,
        { timeout: "idle", limitMs, method: response.req.method, url },
        `closed a connection from ${socket.remoteAddress}: nothing moved on it for ${limitMs} ms (IDLE_TIMEOUT_MS) during ${response.req.method} ${url}`,
      );
    }
    socket.destroy();
  });
}
