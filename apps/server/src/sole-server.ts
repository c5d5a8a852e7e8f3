// WORKERS=1: this process is the server, with no cluster (see run.ts).
import type { Config } from "./config.ts";
import { type RunningServer, startServer } from "./server.ts";
import { servingMessage } from "./serving-message.ts";
import { startFailureMessage } from "./start-failure.ts";
import { drainAndExit, onStopSignals } from "./stopping.ts";

export async function runSoleServer(config: Config): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (error) {
    process.stderr.write(`${startFailureMessage(error)}\n`);
    process.exit(1);
  }
  const log = server.app.log;
  log.info(servingMessage(server.url, config.DATABASE_URL));
  // METRICS_PORT=0 picks a free port: this line is the only way to learn which.
  if (server.metricsUrl !== undefined) log.info(`metrics at ${server.metricsUrl}/metrics`);
  onStopSignals(
    (signal) => drainAndExit(server, signal),
    (signal) => {
      log.warn(`${signal} again: exiting without waiting for in-flight requests`);
      process.exit(1);
    },
  );
}
