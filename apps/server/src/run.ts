// Starts the server from the environment (see main.ts). With WORKERS=1 this process is the
// server (sole-server.ts). Otherwise it is the primary of a cluster (cluster/primary.ts) that runs
// WORKERS server processes behind one port, each of them running cluster/worker.ts. The server's
// modules are imported only where they run: the primary never loads fastify or a database driver.
import cluster from "node:cluster";
import type { EarlyLead } from "./cluster/early-lead.ts";
import type { Config } from "./config.ts";
import { workersWanted } from "./worker-count.ts";

if (cluster.isWorker) {
  const { runWorker } = await import("./cluster/worker.ts");
  await runWorker();
} else {
  // A cluster's lead worker is forked first: loading and validating the configuration (zod and
  // its schema, some 20 ms) then overlaps its own start. With METRICS_PORT it waits, as the
  // primary listens there before any worker starts: a taken port ends the start with nothing else
  // begun.
  const workers = workersWanted(process.env);
  let early: EarlyLead | undefined;
  if (workers !== undefined && workers > 1 && !process.env.METRICS_PORT) {
    const { EarlyLead } = await import("./cluster/early-lead.ts");
    early = new EarlyLead();
  }
  const config = await configOrExit(early);
  // Read alike (worker-count.ts), the two agree; if ever not, the configuration's count wins.
  if (early && config.WORKERS === 1) {
    await early.stop();
    early = undefined;
  }
  if (config.WORKERS === 1) {
    const { runSoleServer } = await import("./sole-server.ts");
    await runSoleServer(config);
  } else {
    const { runPrimary } = await import("./cluster/primary.ts");
    runPrimary(config, early);
  }
}

/**
 * The configuration, validated here once for every process; a problem ends the start with one
 * line (and the lead worker already forked stops).
 */
async function configOrExit(early: EarlyLead | undefined): Promise<Config> {
  const { loadConfig } = await import("./config.ts");
  try {
    return loadConfig();
  } catch (error) {
    const { startFailureMessage } = await import("./start-failure.ts");
    process.stderr.write(`${startFailureMessage(error)}\n`);
    await early?.stop();
    process.exit(1);
  }
}
