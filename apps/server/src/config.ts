import { fileURLToPath } from "node:url";
import { password, userEmail } from "@app/api/schemas";
import { connectionDefaults, DatabaseUrlError, parseDatabaseUrl } from "@app/db";
import { z } from "zod";
import { type TracingConfig, tracingConfigSchema } from "./observability/tracing-config.ts";
import { defaultWorkers, isInMemoryDatabase } from "./worker-count.ts";

/** The embedded default: a SQLite file in the server's data folder, created on first start. */
export const defaultDatabaseUrl = `sqlite:${fileURLToPath(new URL("../data/app.db", import.meta.url))}`;

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z
  .object({
    DATABASE_URL: z.string().trim().min(1).default(defaultDatabaseUrl).superRefine(checkDatabaseUrl),
    HOST: z.string().trim().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    /** Server processes sharing PORT; 1 runs no cluster at all. Default: one per core (resolved below). */
    WORKERS: z.coerce.number().int().min(1).max(1024).optional(),
    LOG_LEVEL: z.enum(logLevels).default("info"),
    /** Comma-separated origins allowed to call the API from a browser; empty means same-origin only. */
    CORS_ORIGINS: z
      .string()
      .default("")
      .transform((value) =>
        value
          .split(",")
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ message: "each CORS origin must be a URL like https://app.example.com" }))),
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    /** NORMAL survives a process crash; FULL also survives a power loss, at the cost of slower commits. */
    SQLITE_SYNCHRONOUS: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
    /** How long a SQLite write waits for another process's write lock before answering 503 (ms). */
    SQLITE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    /** PostgreSQL/MariaDB: most connections each server process opens. */
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(connectionDefaults.poolMax),
    /** PostgreSQL/MariaDB: how long to wait for a connection, new or from a busy pool (ms). */
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(connectionDefaults.connectTimeoutMs),
    /** PostgreSQL/MariaDB: longest a statement may run before the database cancels it (ms). */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(connectionDefaults.statementTimeoutMs),
    /** Longest a client may take to send a whole request, headers and body (ms); then 408 and closed. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** Longest a client may take to send a request's headers (ms): what a slow-loris client meets first. */
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    /** How long an idle keep-alive connection stays open between requests (ms). */
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    /** A connection on which nothing moves for this long is closed (ms); streams ping every 10 s. */
    IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    /** Prometheus metrics at /metrics: "on" or "off". */
    METRICS: z.enum(["on", "off"]).default("on"),
    /** Serve /metrics on this port (on HOST) instead of the public one. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Requests a client address may make per minute; 0 turns rate limiting off (the default). */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(0),
    /** Calls allowed in one batched HTTP request. */
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /** "closed": nobody signs up; admins create accounts with users.create. */
    SIGNUP: z.enum(["open", "closed"]).default("open"),
    /** Days the change history is kept; older changes are pruned in small batches. */
    CHANGES_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(30),
    /** How often each server reads the change log while anyone subscribes (ms): the cross-server wake-up. */
    CHANGES_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    /** Changes a subscriber may fall behind by before its stream is cut off (it may resume). */
    CHANGES_SUBSCRIBER_BUFFER: z.coerce.number().int().min(10).max(1_000_000).default(1000),
    /** Days a session lasts without use. */
    SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** An admin account to create at start-up if missing (and make admin if it exists). */
    ADMIN_EMAIL: userEmail.optional(),
    /** Its password, used only when the account is created. */
    ADMIN_PASSWORD: password.optional(),
    /**
     * Behind a reverse proxy: trust its X-Forwarded-For / -Proto (the client's address for sign-in
     * throttling, HTTPS for Secure cookies). "true", or the proxies' comma-separated addresses/CIDRs.
     */
    TRUST_PROXY: z
      .string()
      .default("false")
      .transform((value): boolean | string =>
        value === "true" || value === "false" ? value === "true" : value,
      ),
  })
  .refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: "set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither",
    path: ["ADMIN_PASSWORD"],
  })
  // Node refuses to start otherwise: the headers are part of the request.
  .refine((env) => env.HEADERS_TIMEOUT_MS <= env.REQUEST_TIMEOUT_MS, {
    message: "must not exceed REQUEST_TIMEOUT_MS (the headers are part of the request)",
    path: ["HEADERS_TIMEOUT_MS"],
  })
  // Each process would open a database of its own, and a write would show only on its worker.
  .refine((env) => (env.WORKERS ?? 1) === 1 || !isInMemoryDatabase(env.DATABASE_URL), {
    message: "must be 1 with an in-memory SQLite database (each process would have its own)",
    path: ["WORKERS"],
  })
  // worker-count.ts reads WORKERS the same way without this schema, for the cluster's early start.
  .transform((env) => ({ ...env, WORKERS: env.WORKERS ?? defaultWorkers(env.DATABASE_URL) }));

/** `tracing`: the OpenTelemetry settings from the standard `OTEL_*` variables; undefined when off. */
export type Config = z.output<typeof envSchema> & { tracing: TracingConfig | undefined };

function checkDatabaseUrl(url: string, ctx: z.RefinementCtx): void {
  try {
    parseDatabaseUrl(url);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message });
  }
}

/** A configuration problem, told in one line a person can fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the configuration once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as it does in most shells and .env files.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  const tracing = tracingConfigSchema.safeParse(present);
  if (parsed.success && tracing.success) return { ...parsed.data, tracing: tracing.data };
  const issues = [...(parsed.error?.issues ?? []), ...(tracing.error?.issues ?? [])];
  const problems = issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}
