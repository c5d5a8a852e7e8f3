import type { RunningServer } from "./server.ts";

/** How long a stop waits for in-flight requests before giving up. */
export const shutdownTimeoutMs = 10_000;

/**
 * Signals this close together are one request to stop. A terminal sends Ctrl-C to every process
 * of its foreground group, and `npm start`'s wrappers (npm, scripts/toolchain.mjs) each forward it
 * once more, so one Ctrl-C reaches the server two or three times within milliseconds: that must
 * not count as the impatient second Ctrl-C, which forces.
 */
const echoWindowMs = 1_000;

/** Calls `stop` on the first SIGINT or SIGTERM, and `force` on one that comes later (see above). */
export function onStopSignals(
  stop: (signal: NodeJS.Signals) => void,
  force: (signal: NodeJS.Signals) => void,
): void {
  let first: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (first === undefined) {
      first = now;
      stop(signal);
    } else if (now - first > echoWindowMs) force(signal);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
}

/**
 * Stops `server` (readiness fails first, in-flight requests finish) and exits 0; exits 1 if that
 * fails or is still busy after `shutdownTimeoutMs`.
 */
export function drainAndExit(server: RunningServer, signal: NodeJS.Signals): void {
  const log = server.app.log;
  log.info(`${signal}: finishing in-flight requests, then stopping`);
  const timer = setTimeout(() => {
    log.error(`still busy after ${shutdownTimeoutMs} ms: exiting anyway`);
    process.exit(1);
  }, shutdownTimeoutMs);
  timer.unref();
  server.close().then(
    () => {
      log.info("stopped");
      process.exit(0);
    },
    (error: unknown) => {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
}
