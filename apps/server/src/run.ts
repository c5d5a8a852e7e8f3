// Starts the server from the environment: configuration, database, HTTP, signals (see main.ts).
import { redact } from "@app/db";
import { ConfigError, loadConfig } from "./config.ts";
import { startServer } from "./server.ts";

/** How long SIGTERM waits for in-flight requests before giving up. */
const shutdownTimeoutMs = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  const log = server.app.log;
  log.info(
    `serving ${server.url} (web app at /, tRPC at /trpc, REST at /api, docs at /docs, health at /health) on ${redact(config.DATABASE_URL)}`,
  );

  const shutdown = (signal: NodeJS.Signals) => {
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
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `failed to start: ${describe(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

function describe(error: unknown): string {
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    return `${error.message} (set PORT to use another port)`;
  }
  return error instanceof Error ? error.message : String(error);
}
