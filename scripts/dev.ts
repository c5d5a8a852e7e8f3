// `npm run dev` (scripts/toolchain.mjs runs it with the pinned Node, `.env` applied): the server in
// watch mode and Vite with hot reload, as two children of this process, which one Ctrl-C stops.
//
// Not `turbo run dev`, as before: turbo's strict environment mode gave the tasks only the variables
// named in turbo.json, so DATABASE_URL, PORT and every other setting never reached the server,
// which always wrote apps/server/data/app.db on port 8000; and a SIGINT sent to npm alone (rather
// than to the terminal's whole process group) stopped npm and left turbo, the server and Vite
// running and holding their ports, five processes deep (turbo, pnpm, sh, node --watch, server).
// Here every variable passes as is, and this process knows both children and stops both.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const webRoot = join(root, "apps", "web");
const viteBin = join(
  createRequire(join(webRoot, "package.json")).resolve("vite/package.json"),
  "..",
  "bin",
  "vite.js",
);

/** The server's own shutdown gives up after 10 s (apps/server/src/run.ts); then this kills what is left. */
const forceAfterMs = 12_000;

const log = (message: string) => process.stderr.write(`[dev] ${message}\n`);

// Development mode (errors' messages and stacks shown to the page, Vite's dev builds) unless
// NODE_ENV says otherwise; `npm start` runs in production mode. One server process unless WORKERS
// says otherwise: each restart on a change would otherwise start one per core.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV || "development",
  WORKERS: process.env.WORKERS || "1",
};

type Task = { name: string; child: ChildProcess; group: boolean };
const running = new Set<Task>();
let stopping = false;
let exitCode = 0;

/**
 * `group`: the child leads a process group of its own (POSIX), so a forced stop reaches its own
 * children too, and a terminal's Ctrl-C reaches it only through this process, once. Such a child
 * must not read the terminal (a background group that does is stopped), so its stdin is closed.
 */
function start(name: string, args: string[], cwd: string, { group }: { group: boolean }): void {
  const detached = group && process.platform !== "win32";
  const child = spawn(process.execPath, args, {
    cwd,
    env,
    stdio: [detached ? "ignore" : "inherit", "inherit", "inherit"],
    detached,
  });
  const task = { name, child, group: detached };
  running.add(task);
  child.on("error", (error) => {
    log(`${name} did not start: ${error.message}`);
    running.delete(task);
    stop(1);
  });
  child.on("exit", (code, signal) => {
    running.delete(task);
    if (!stopping) {
      log(`${name} exited (${signal ?? `code ${code}`}): stopping the rest`);
      // Vite's own `q` exits 0: a stop asked for. Anything else is a failure to report.
      stop(code ?? 1);
    }
    if (running.size === 0) process.exit(exitCode);
  });
}

function signal(task: Task, name: NodeJS.Signals): void {
  const { pid } = task.child;
  if (pid === undefined) return;
  try {
    // A group: `node --watch` and the server it runs.
    process.kill(task.group ? -pid : pid, name);
  } catch {
    // Gone already.
  }
}

/** Stops every child once, however many signals arrive (a terminal's Ctrl-C reaches npm too, which forwards it). */
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  // `node --watch` itself, not its group: it stops the server it runs and waits for it, so the
  // server hears one signal and finishes its in-flight requests.
  for (const task of running) task.child.kill("SIGTERM");
  setTimeout(() => {
    for (const task of running) {
      log(`${task.name} still running after ${forceAfterMs / 1000} s: killing it`);
      signal(task, "SIGKILL");
    }
  }, forceAfterMs).unref();
  if (running.size === 0) process.exit(exitCode);
}

for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(name, () => stop(0));

/** A port number from 0 to 65535 as written, or undefined. */
function portNumber(value: string): number | undefined {
  return /^\d{1,5}$/.test(value) && Number(value) <= 65_535 ? Number(value) : undefined;
}

/** Why nothing can listen on `port` at `host` now (taken, not allowed), or undefined when it can. */
function cannotListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      resolve(error.code === "EADDRINUSE" ? "is in use" : `cannot be used (${error.code ?? error.message})`),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * The ports, checked before anything starts. A server that cannot listen would wait under
 * `node --watch` for a file change that cannot help, while Vite served on and proxied to whatever
 * holds the port (often an `npm start` left running); Vite, refused its port, prints a stack trace.
 */
async function checkPorts(): Promise<string | undefined> {
  const port = portNumber(env.PORT || "8000");
  // A PORT that is no number is the server's to refuse, in the words of its configuration.
  if (port !== undefined && port !== 0) {
    const host = env.HOST || "127.0.0.1";
    const why = await cannotListen(port, host);
    if (why) {
      return `PORT ${port} on ${host} ${why}, perhaps by a server still running (npm start, npm run dev): stop it, or set PORT to another port`;
    }
  }
  const asked = env.WEB_PORT;
  if (!asked) return undefined;
  const webPort = portNumber(asked);
  if (webPort === undefined || webPort === 0) return `WEB_PORT ${asked} is not a port number from 1 to 65535`;
  // Where Vite listens (its default host).
  const why = await cannotListen(webPort, "localhost");
  return (
    why &&
    `WEB_PORT ${webPort} ${why}: stop what holds it, set WEB_PORT to another port, or leave it unset for the next free one`
  );
}

const portProblem = await checkPorts();
if (portProblem) {
  log(portProblem);
  process.exit(1);
}

log(
  `the server in watch mode (NODE_ENV=${env.NODE_ENV}) and Vite with hot reload, which proxies the ` +
    "server's paths to it; Ctrl-C stops both",
);
// From the repository root, as `npm start` runs it, so a relative `sqlite:./dev.db` names the same
// file. --watch-preserve-output: a restart must not clear the terminal, and Vite's address with it.
start("server", ["--watch", "--watch-preserve-output", "apps/server/src/main.ts"], root, { group: true });
// In the terminal's group: Vite keeps its keyboard shortcuts (h, r, o, q).
start("vite", [viteBin], webRoot, { group: false });
