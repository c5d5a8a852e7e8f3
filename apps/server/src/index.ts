export { type BuildAppOptions, buildApp } from "./app.ts";
export { type Config, ConfigError, defaultDatabaseUrl, loadConfig } from "./config.ts";
export { type RunningServer, startServer } from "./server.ts";
