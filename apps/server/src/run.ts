// Starts the server from the environment (see main.ts). With WORKERS=1 this process is the
// server (sole-server.ts). Otherwise it is the primary of a cluster (cluster/primary.ts) that runs
// WORKERS server processes behind one port, each of them running cluster/worker.ts. The server's
// modules are imported only where they run: the primary never loads fastify or a database driver.
import cluster from "node:cluster";
import { type Config, loadConfig } from "./config.ts";
import { startFailureMessage } from "./start-failure.ts";

if (cluster.isWorker) {
  const { runWorker } = await import("./cluster/worker.ts");
  await runWorker();
} else {
  const config = configOrExit();
  if (config.WORKERS === 1) {
    const { runSoleServer } = await import("./sole-server.ts");
    await runSoleServer(config);
  } else {
    const { runPrimary } = await import("./cluster/primary.ts");
    runPrimary(config);
  }
}

/** The configuration, validated here once for every process; a problem ends the start with one line. */
function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    process.stderr.write(`${startFailureMessage(error)}\n`);
    process.exit(1);
  }
}
