import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { nodeEnv, nodeFlags } from "./node-flags.ts";

const projectMain = fileURLToPath(new URL("../../apps/server/dist/main.js", import.meta.url));
const rawMain = fileURLToPath(new URL("./raw-server.ts", import.meta.url));

export type Target = "project" | "raw" | "baseline" | "variant";

/** The admin the measured server starts with; every scenario calls as it (one session). */
export const benchAdmin = { email: "bench-admin@example.com", password: "bench admin password" };

export type ProjectServerOptions = {
  /** Start with ADMIN_EMAIL/ADMIN_PASSWORD (not when migrating a file about to be seeded: the seed writes ids from 1). */
  admin?: boolean;
  /** Another build's main.js (`--baseline`). */
  entry?: string;
  target?: Target;
  /** More environment for this server (a variant's settings). */
  env?: Record<string, string>;
  /** DATABASE_POOL_MAX (PostgreSQL, MariaDB): the raw ceiling's pool gets as many connections. */
  poolMax?: number;
};

export type RunningServer = {
  target: Target;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 from /health. */
  startMs: number;
  stop(): Promise<void>;
};

/**
 * Builds the server bundle `npm start` runs (apps/server/dist, rolldown.config.ts) unless turbo
 * has it cached for the current sources. Call once before starting project servers.
 */
export function buildProjectServer(): void {
  const built = spawnSync("turbo", ["run", "build", "--filter=@app/server", "--output-logs=errors-only"], {
    stdio: ["ignore", 2, 2],
  });
  if (built.status !== 0)
    throw new Error("building the server failed (turbo run build --filter=@app/server)");
}

/**
 * Starts `node apps/server/dist/main.js` as `npm start` does, in production, on the given
 * database (a `DATABASE_URL`). Migrations run at start; warn-level logs keep request logging out
 * of the measurement. `poolMax`: its DATABASE_POOL_MAX (PostgreSQL, MariaDB).
 */
export function startProjectServer(
  databaseUrl: string,
  options: ProjectServerOptions = {},
): Promise<RunningServer> {
  const admin: Record<string, string> = options.admin
    ? { ADMIN_EMAIL: benchAdmin.email, ADMIN_PASSWORD: benchAdmin.password }
    : {};
  return startNode(options.target ?? "project", options.entry ?? projectMain, (port) => ({
    ...admin,
    DATABASE_URL: databaseUrl,
    ...(options.poolMax !== undefined && { DATABASE_POOL_MAX: String(options.poolMax) }),
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    // Off by default; explicit so a shell that sets it cannot turn the load into 429s.
    RATE_LIMIT_PER_MINUTE: "0",
    ...options.env,
  }));
}

/** Starts the raw ceiling (bench/src/raw-server.ts) on the given database, with a pool of `poolMax`. */
export function startRawServer(databaseUrl: string, poolMax: number): Promise<RunningServer> {
  return startNode("raw", rawMain, (port) => ({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: String(poolMax),
    PORT: String(port),
  }));
}

async function startNode(
  target: Target,
  entry: string,
  envFor: (port: number) => Record<string, string>,
): Promise<RunningServer> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    env: { ...nodeEnv, ...process.env, ...envFor(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  let stopping = false;
  // A server that dies mid-run would otherwise show up only as connection errors.
  child.once("exit", (code, signal) => {
    if (!stopping) process.stderr.write(`[bench] ${target} server exited (${code ?? signal}):\n${stderr}\n`);
  });
  await waitForHealth(url, child, () => stderr);
  const startMs = performance.now() - started;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${target} server has no pid`);
  const stop = () => {
    stopping = true;
    return stopChild(child);
  };
  return { target, url, pid, startMs, stop };
}

/** Polls /health every 5 ms: the figure is "start to first 200", so the poll must be fine-grained. */
async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/health`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill("SIGKILL");
  throw new Error(`server at ${url} not healthy within 30 s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A port the OS just handed out, released again for the server to take. */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Signs in as the bench admin and returns the `Authorization` header value for its session. */
export async function adminAuthorization(url: string): Promise<string> {
  const response = await fetch(`${url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(benchAdmin),
  });
  const answer: unknown = await response.json();
  const token =
    typeof answer === "object" && answer !== null
      ? JSON.stringify(answer).match(/"token":"(uis_[\w-]+)"/)?.[1]
      : undefined;
  if (!response.ok || !token)
    throw new Error(`signing in as the bench admin failed: ${JSON.stringify(answer)}`);
  return `Bearer ${token}`;
}
