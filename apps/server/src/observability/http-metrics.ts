import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { counterText, Durations, histogramText, labelText } from "./series.ts";

/** The route label of a request no route matched: never its URL, which the client chooses. */
export const unmatchedRoute = "unmatched";

/**
 * The status label of a request that ended before an answer's headers were sent: the client went
 * away, or a timeout closed its connection (nginx's "client closed request").
 */
const clientClosed = 499;

type RouteSeries = {
  /** `method="…",route="…"` */
  labels: string;
  byStatus: Map<number, number>;
  durations: Durations;
};

/**
 * HTTP requests by method, route pattern and status, their duration, and those in flight. The
 * route is fastify's pattern (`/api/users/:id`, `/trpc/:path`, `/*` for the web app), so a
 * hostile client cannot add label values by inventing URLs.
 */
export class HttpMetrics {
  /** Requests received and not yet answered (open event streams included). */
  inFlight = 0;
  // Route, then method: both are short strings from a small set.
  readonly #series = new Map<string, Map<string, RouteSeries>>();

  finished(method: string, route: string, status: number, seconds: number | undefined): void {
    let byMethod = this.#series.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#series.set(route, byMethod);
    }
    let series = byMethod.get(method);
    if (series === undefined) {
      series = { labels: labelText({ method, route }), byStatus: new Map(), durations: new Durations() };
      byMethod.set(method, series);
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1);
    if (seconds !== undefined) series.durations.observe(seconds);
  }

  text(): string {
    const series = [...this.#series.values()].flatMap((byMethod) => [...byMethod.values()]);
    return (
      counterText(
        "http_requests_total",
        "HTTP requests by method, route pattern and status (499: the connection closed before an answer was sent).",
        series.flatMap((s) =>
          [...s.byStatus].map(([status, count]): [string, number] => [
            `${s.labels},status="${status}"`,
            count,
          ]),
        ),
      ) +
      histogramText(
        "http_request_duration_seconds",
        "HTTP request duration in seconds, by method and route pattern (event streams, which last as long as their subscription, are left out).",
        series.filter((s) => s.durations.count > 0).map((s): [string, Durations] => [s.labels, s.durations]),
      )
    );
  }
}

/**
 * Counts every request the app answers, except those to `excludedPath` (the scrapes themselves).
 * Hooked on the root instance before any route, so that it sees every route, 404s included, and
 * requests the rate limiter refuses. A response's `close` comes once, whether it finished or the
 * client went away, so the in-flight gauge cannot drift.
 */
export function countHttpRequests(app: FastifyInstance, metrics: HttpMetrics, excludedPath: string): void {
  app.addHook("onRequest", (request, reply, done) => {
    if (request.routeOptions.url === excludedPath) return done();
    const started = performance.now();
    metrics.inFlight++;
    reply.raw.once("close", () => {
      metrics.inFlight--;
      const streamed = isEventStream(reply);
      metrics.finished(
        request.method,
        routeOf(request),
        reply.raw.headersSent ? reply.raw.statusCode : clientClosed,
        streamed ? undefined : (performance.now() - started) / 1000,
      );
    });
    done();
  });
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? unmatchedRoute;
}

function isEventStream(reply: FastifyReply): boolean {
  const type = reply.raw.getHeader("content-type");
  return typeof type === "string" && type.startsWith("text/event-stream");
}
