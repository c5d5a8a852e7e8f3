import { type CallObserver, changeFeedOf } from "@app/api";
import { lockStatsOf, type Orm, poolStatsOf } from "@app/db";
import { Counter, Gauge, Registry } from "prom-client";
import { CallMetrics } from "./call-metrics.ts";
import { HttpMetrics } from "./http-metrics.ts";
import { registerProcessMetrics } from "./process-metrics.ts";

/** One server's metrics: what the transport and the HTTP hooks feed, and what /metrics reads. */
export type ServerMetrics = {
  /** Handed to every context the server makes: counts each procedure call. */
  observeCall: CallObserver;
  http: HttpMetrics;
  /** The `content-type` of `scrape()`'s text. */
  contentType: string;
  /** Everything, in the Prometheus text format (0.0.4). */
  scrape(): Promise<string>;
  /** Stops the event-loop monitor. */
  close(): void;
};

/**
 * The metrics of the server in front of `orm`, in a registry of its own: several servers in one
 * process (the tests) never share one, and prom-client's global registry is not used. Every value
 * read from elsewhere (the pool, SQLite's lock waits, subscriptions) is read at scrape time.
 */
export function createServerMetrics(orm: Orm): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const calls = new CallMetrics();
  const http = new HttpMetrics();
  const processMetrics = registerProcessMetrics(registry);

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  // A total kept elsewhere, published as a counter: set to the total at each scrape.
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });

  gauge(
    "http_requests_in_flight",
    "HTTP requests received and not yet answered (open event streams included).",
    () => http.inFlight,
  );
  gauge(
    "db_pool_connections_open",
    "Database connections open (SQLite: its one connection).",
    () => poolStatsOf(orm).size,
  );
  gauge(
    "db_pool_connections_in_use",
    "Database connections lent to a transaction or statement.",
    () => poolStatsOf(orm).inUse,
  );
  gauge(
    "db_pool_connections_max",
    "Most database connections the pool opens (DATABASE_POOL_MAX; 1 on SQLite).",
    () => poolStatsOf(orm).max,
  );
  gauge(
    "db_pool_waiting",
    "Transactions and statements waiting for a database connection because all are in use.",
    () => poolStatsOf(orm).waiting,
  );
  if (orm.dialect === "sqlite") {
    total(
      "sqlite_lock_waits_total",
      "Transactions that found SQLite's write lock held by another process and waited.",
      () => lockStatsOf(orm).waits,
    );
    total(
      "sqlite_lock_wait_seconds_total",
      "Time spent waiting for SQLite's write lock, in seconds.",
      () => lockStatsOf(orm).waitSeconds,
    );
    total(
      "sqlite_lock_timeouts_total",
      "Waits for SQLite's write lock that ran out (SQLITE_BUSY_TIMEOUT_MS), each answered 503.",
      () => lockStatsOf(orm).timeouts,
    );
  }
  gauge(
    "live_subscriptions_open",
    "Open change subscriptions (tRPC and REST event streams) in this process.",
    () => changeFeedOf(orm).subscriberCount,
  );

  return {
    observeCall: calls.observe,
    http,
    contentType: registry.contentType,
    async scrape() {
      // prom-client separates its families with a blank line; the format ignores blank lines.
      return `${await registry.metrics()}\n${calls.text()}\n${http.text()}`;
    },
    close: () => processMetrics.stop(),
  };
}
