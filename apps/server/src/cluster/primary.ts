// WORKERS > 1: this process runs that many server processes (worker.ts) behind one port and serves
// nothing itself. node:cluster's primary accepts each connection and hands it to the workers in
// turn (round-robin), so they share PORT, PORT=0 included, on every platform.
//
// Round-robin rather than each worker listening with `reusePort` (SO_REUSEPORT, which Node 24
// offers on Linux and the BSDs): it works everywhere, PORT=0 gives every worker the one port
// (with reusePort each would get its own), no other process can join the port, a dying worker's
// queued connections are not reset, and a few long-lived connections are spread evenly rather
// than by a hash of their addresses. Its cost, the primary accepting each new connection and
// passing it on, is paid once per connection, not per request.
//
// - Start: worker 1, the lead, starts before this process has validated the configuration (run.ts;
//   with METRICS_PORT, once it listens there). It migrates, ensures the admin account and listens;
//   only then do the others start, on a database already prepared. Started at once, they would
//   share the cores with the lead for the whole of its start: on two cores its first 200 came
//   some 100 ms later (docs/decisions/016-lead-worker-first.md). An invalid configuration, or the
//   first worker that cannot start (bad DATABASE_URL, port in use), ends the whole start: its one
//   line on stderr, exit code 1.
// - A worker that dies once all were serving is replaced, after a delay that doubles with each
//   death in a row (from 250 ms to 30 s), and logged.
// - /metrics (METRICS=on): each worker counts what it serves; at each scrape the primary gathers
//   every worker's metrics over IPC and merges them, each sample labelled with its worker
//   (metrics-gathering.ts). With METRICS_PORT the primary itself listens on that port; otherwise
//   the worker that receives the scrape on the public port asks the primary for the merged text.
// - SIGTERM or SIGINT: every worker drains (readiness fails first, in-flight requests finish) and
//   the primary exits 0 once all have; a second signal, or a worker still busy after the timeout,
//   ends them at once (exit code 1).
import cluster, { type Worker } from "node:cluster";
import type { Config } from "../config.ts";
import { limitHeapGrowth } from "../heap-growth.ts";
import { servingMessage } from "../serving-message.ts";
import { onStopSignals, shutdownTimeoutMs } from "../stopping.ts";
import type { EarlyLead } from "./early-lead.ts";
import { FeedRelay } from "./feed-relay.ts";
import {
  isWorkerMessage,
  leadWorker,
  type PrimaryMessage,
  type WorkerMessage,
  workerNumberVariable,
} from "./messages.ts";
import { MetricsGathering, type ServingWorker } from "./metrics-gathering.ts";
import { primaryLog } from "./primary-log.ts";

const firstRestartDelayMs = 250;
/**
 * How long a worker's exit during the start that a stop signal explains (killed by SIGINT or
 * SIGTERM, or exit code 0) waits for this process's own handler of that signal before it counts
 * as a failed start (see onExit).
 */
const stopSignalGraceMs = 100;
const maxRestartDelayMs = 30_000;
/** A worker that served this long before dying starts its count of deaths in a row afresh. */
const stableMs = 30_000;

/** One place in the cluster: a worker number, and the process that fills it now. */
type Slot = {
  number: number;
  worker: Worker | undefined;
  /** When its current process began listening. */
  servingSince: number | undefined;
  /** Deaths in a row, for the restart delay. */
  deaths: number;
  /** Why its current process could not start, when it said so. */
  failure: string | undefined;
  restart: NodeJS.Timeout | undefined;
};

type Phase = "starting" | "serving" | "stopping" | "failed";

/** Runs the cluster of `config`; `early`: its lead, already forked (run.ts). */
export function runPrimary(config: Config, early?: EarlyLead): void {
  const log = primaryLog(config.LOG_LEVEL);
  let phase: Phase = "starting";
  let unclean = false;
  const slots: Slot[] = Array.from({ length: config.WORKERS }, (_, i) => ({
    number: i + 1,
    worker: undefined,
    servingSince: undefined,
    deaths: 0,
    failure: undefined,
    restart: undefined,
  }));
  const live = () => slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
  const serving = () =>
    slots.flatMap((slot): ServingWorker[] =>
      slot.worker && slot.servingSince !== undefined ? [{ number: slot.number, worker: slot.worker }] : [],
    );
  const metrics = config.METRICS === "on" ? new MetricsGathering() : undefined;
  const tell = (worker: Worker, message: PrimaryMessage) => worker.send(message);
  const feeds = new FeedRelay(live, tell);

  const fork = (slot: Slot) => {
    slot.restart = undefined;
    slot.failure = undefined;
    slot.servingSince = undefined;
    attach(slot, cluster.fork({ [workerNumberVariable]: String(slot.number) }));
  };

  const attach = (slot: Slot, worker: Worker) => {
    slot.worker = worker;
    worker.on("message", (message: unknown) => {
      if (isWorkerMessage(message)) onMessage(slot, worker, message);
    });
    worker.on("exit", (code: number | null, signal: NodeJS.Signals | null) =>
      onExit(slot, worker, code, signal),
    );
    worker.on("error", (error: Error) => {
      // A fork that never became a process (spawn's EAGAIN at the process limit, ENOENT when
      // Node's binary is gone) emits no exit: without this the start waited for it for ever.
      if (worker.process.pid === undefined) {
        slot.failure = `failed to start: worker ${slot.number} could not be started: ${error.message}`;
        onExit(slot, worker, null, null);
        return;
      }
      // A message to a worker that has just died fails here; its exit is handled above.
      log.warn(`worker ${slot.number}: ${error.message}`);
    });
  };

  const onMessage = (slot: Slot, worker: Worker, message: WorkerMessage) => {
    switch (message.kind) {
      case "failed":
        slot.failure = message.message;
        if (phase === "starting") fail(message.message);
        return;
      case "scrape":
        void metrics?.gather(serving()).then((text) => {
          if (worker.isConnected()) tell(worker, { kind: "scraped", id: message.id, text });
        });
        return;
      case "metrics":
        metrics?.answered(message.id, message.text);
        return;
      case "following":
        feeds.following(worker, message.active);
        return;
      case "committed":
        feeds.committed(worker);
        return;
      case "listening":
        slot.servingSince = Date.now();
        feeds.welcome(worker);
        // The lead has prepared the database: the others start now.
        if (phase === "starting" && slot.number === leadWorker) {
          for (const other of slots) if (!other.worker) fork(other);
        }
        if (phase === "starting" && slots.every((each) => each.servingSince !== undefined)) {
          phase = "serving";
          limitHeapGrowth();
          log.info(servingMessage(message.url, config.DATABASE_URL, config.WORKERS));
        } else if (phase === "serving") {
          log.info(`worker ${slot.number} (pid ${worker.process.pid}) is serving`);
        }
        return;
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number | null, signal: NodeJS.Signals | null) => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    feeds.forget(worker);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    switch (phase) {
      case "starting": {
        const before = slot.servingSince === undefined ? "before it served" : "before every worker served";
        const failure = slot.failure ?? `failed to start: worker ${slot.number} ${how} ${before}`;
        // A stop signal sent to the whole group (a terminal's Ctrl-C, systemd stopping the unit)
        // also reaches the workers: one still booting dies of it (before it can ignore SIGINT or
        // drain on SIGTERM), one that handles it exits 0. This process's own handler of the signal
        // may run just after. The start failed only if not.
        if (!slot.failure && (code === 0 || signal === "SIGINT" || signal === "SIGTERM")) {
          setTimeout(() => {
            if (phase === "starting") fail(failure);
          }, stopSignalGraceMs);
        } else {
          fail(failure);
        }
        return;
      }
      case "serving":
        restart(
          slot,
          worker.process.pid === undefined
            ? (slot.failure ?? `worker ${slot.number} ${how}`)
            : `worker ${slot.number} (pid ${worker.process.pid}) ${slot.failure ?? how}`,
        );
        return;
      case "stopping":
        // Stopped by our SIGTERM before it had a handler for it, or by the group's SIGINT while it
        // booted (a serving worker ignores SIGINT): nothing was in flight.
        if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGINT") unclean = true;
        if (live().length === 0) {
          log.info("stopped");
          process.exit(unclean ? 1 : 0);
        }
        return;
      case "failed":
        if (live().length === 0) process.exit(1);
        return;
    }
  };

  const restart = (slot: Slot, what: string) => {
    if (slot.servingSince !== undefined && Date.now() - slot.servingSince >= stableMs) slot.deaths = 0;
    slot.deaths++;
    if (metrics) metrics.restarts++;
    const delay = Math.min(maxRestartDelayMs, firstRestartDelayMs * 2 ** (slot.deaths - 1));
    log.error(`${what}; starting another in ${delay} ms`);
    slot.restart = setTimeout(() => fork(slot), delay);
  };

  /** Ends a start that cannot succeed: one line, the workers stopped, exit code 1. */
  const fail = (message: string) => {
    if (phase === "failed") return;
    phase = "failed";
    process.stderr.write(`${message}\n`);
    // SIGTERM, not SIGKILL: the lead may be applying a migration, which it then finishes.
    stopWorkers();
    if (live().length === 0) process.exit(1);
  };

  /** SIGTERM to every worker (each drains, then exits), and no more restarts. */
  const stopWorkers = () => {
    for (const slot of slots) {
      clearTimeout(slot.restart);
      slot.worker?.process.kill("SIGTERM");
    }
    // A worker whose event loop is stuck drains nothing: its own timeout cannot fire either.
    setTimeout(() => {
      log.error(`workers still running ${shutdownTimeoutMs} ms after SIGTERM: killing them`);
      for (const worker of live()) worker.process.kill("SIGKILL");
      process.exit(1);
    }, shutdownTimeoutMs + 1_000).unref();
  };

  /** Forks the lead, or takes over the one run.ts forked; the others start once it listens. */
  const start = () => {
    const lead = slots[leadWorker - 1];
    if (!lead) return;
    if (early) early.adopt((worker) => attach(lead, worker));
    else fork(lead);
  };

  onStopSignals(
    (signal) => {
      if (phase === "failed") return;
      phase = "stopping";
      log.info(`${signal}: stopping ${live().length} workers, each after its in-flight requests`);
      stopWorkers();
      if (live().length === 0) process.exit(0);
    },
    (signal) => {
      log.warn(`${signal} again: killing the workers without waiting for in-flight requests`);
      for (const worker of live()) worker.process.kill("SIGKILL");
      process.exit(1);
    },
  );

  if (metrics && config.METRICS_PORT !== undefined) {
    // Listening first: a port that is taken ends the start before any worker starts. Loaded
    // only here: node:http would otherwise delay every cluster's first fork by a few ms.
    const port = config.METRICS_PORT;
    import("./metrics-listener.ts")
      .then(({ listenForScrapes }) => listenForScrapes({ ...config, port }, () => metrics.gather(serving())))
      .then(
        (listener) => {
          log.info(`metrics of every worker at ${listener.url}/metrics`);
          start();
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          process.stderr.write(`failed to start: cannot serve /metrics on METRICS_PORT: ${reason}\n`);
          process.exit(1);
        },
      );
  } else {
    start();
  }
  setImmediate(() => void prepareToListen(config.HOST));
}

/**
 * While the lead starts, this process has nothing to do: it loads and compiles, once, what it
 * will need to listen on the lead's behalf (Node's `dns`, and the IPv6 pattern `net` compiles on
 * its first use), which it would otherwise do on the way to the first 200. The lead's listen
 * took 36 -> 23 ms (medians of 8 starts on 2 cores).
 */
async function prepareToListen(host: string): Promise<void> {
  const [{ isIPv6 }] = await Promise.all([import("node:net"), import("node:dns")]);
  isIPv6(host);
}
