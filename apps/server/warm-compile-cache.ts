// `pnpm build`'s last step (package.json): `node warm-compile-cache.ts dist/main.js`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import nodeEnv from "../../scripts/node-env.json" with { type: "json" };
import nodeFlags from "../../scripts/node-flags.json" with { type: "json" };

/**
 * The environment a warm-up passes on: where the compile cache is, and nothing of the server's
 * own. Not NODE_OPTIONS either: some of its options change what V8 accepts, so a start under
 * them compiles afresh, but one such as `--inspect-brk` would hold the warm-up start.
 */
const passedOn = ["PATH", "HOME", "TMPDIR", "NODE_COMPILE_CACHE", "NODE_COMPILE_CACHE_PORTABLE"];

/** Where `npm start` runs the server from: a relative NODE_COMPILE_CACHE resolves the same. */
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/** How long a warm-up may take before its processes are killed. */
const giveUpMs = 60_000;

/**
 * Two workers load every module a cluster's start loads (the lead's and the others'); one per core
 * on a large build machine would only cost memory. A one-core machine runs one process.
 */
export const warmUpWorkers = Math.min(2, availableParallelism());

/**
 * Starts the built server once as `npm start` does (its Node flags, from the repository's root)
 * on an empty SQLite file and any free port, asks it for /health, and stops it. Every module a
 * start loads is then in Node's compile cache (main.ts turns it on), so the first start after a
 * build reads its code from the cache as the later ones do, instead of compiling some 3 MB of
 * JavaScript first: that first start is the benchmark's "start to first 200".
 *
 * A real start rather than an import of each chunk: it loads what a start loads, in its order and
 * under its V8 flags (the server changes one once it serves: src/heap-growth.ts), and V8 takes
 * only code cached under the flags it runs with. It refused a cache filled by importing the
 * chunks when the server still changed that flag before loading them (docs/performance.md).
 */
export async function warmCompileCache(entry: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  removeLeftFolders(tmpdir());
  const folder = mkdtempSync(join(tmpdir(), folderPrefix));
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  // spawn reports a failure to start through the child's "error" event (startAndStop), not by throwing.
  const server = startAndStop(entry, {
    ...Object.fromEntries(passedOn.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))),
    ...nodeEnv,
    DATABASE_URL: `sqlite:${join(folder, "warm.db")}`,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    NODE_ENV: "production",
    WORKERS: String(warmUpWorkers),
  });
  // Interrupted (a Ctrl-C during the build), the start and its folder go too.
  const interrupted = (signal: NodeJS.Signals) => {
    server.kill();
    removeFolder();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    await server.done;
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    removeFolder();
  }
}

const folderPrefix = "warm-compile-cache-";

/**
 * Removes the folders of warm-ups that could not remove their own: one killed outright (turbo
 * kills its tasks at a second Ctrl-C) leaves its folder, and its server, in a process group of its
 * own, ends a second later. A folder older than twice the longest warm-up is no running one's.
 */
export function removeLeftFolders(parent: string, now = Date.now()): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(folderPrefix)) continue;
    const folder = join(parent, name);
    try {
      if (now - statSync(folder).mtimeMs > 2 * giveUpMs) rmSync(folder, { recursive: true, force: true });
    } catch {
      // Removed meanwhile, or not ours to remove: neither stops a warm-up.
    }
  }
}

/**
 * Starts the server at `entry` in a process group of its own; `done` resolves once it has
 * answered /health and exited again, and `kill` ends the group (the primary and its workers).
 */
function startAndStop(entry: string, env: NodeJS.ProcessEnv): { done: Promise<void>; kill(): void } {
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd: repositoryRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    // A group of its own, so that giving up kills the workers too: a worker stuck in a busy loop
    // outlives its primary and holds the output pipes open.
    detached: true,
  });
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  let output = "";
  let timedOut = false;
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  const giveUp = setTimeout(() => {
    timedOut = true;
    kill();
  }, giveUpMs);
  const done = new Promise<void>((resolved, failed) => {
    let asked = false;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      const url = /serving (http:\/\/[^ ]+)/.exec(output)?.[1];
      if (url === undefined || asked) return;
      asked = true;
      // The first request's modules too, if any is loaded only then.
      void fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) })
        .then((response) => response.arrayBuffer())
        .catch(() => undefined)
        .finally(() => child.kill("SIGTERM"));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.once("error", failed);
    void exited.then((code) => {
      clearTimeout(giveUp);
      if (asked && code === 0) resolved();
      else if (timedOut)
        failed(new Error(`the server took more than ${giveUpMs / 1000} s:\n${output.trim()}`));
      else
        failed(
          new Error(`the server exited with ${code}${asked ? "" : " before serving"}:\n${output.trim()}`),
        );
    });
  });
  return { done, kill };
}

if (import.meta.main) {
  const entry = resolve(process.argv[2] ?? "dist/main.js");
  // Node's own test: set at all, even empty, it turns the cache off.
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== undefined) {
    console.log("compile cache off (NODE_DISABLE_COMPILE_CACHE): not warmed");
  } else {
    const started = performance.now();
    // An optimization only: a server that cannot start here (say, a machine without the SQLite
    // addon's build) still builds, and compiles its code at its first start instead.
    await warmCompileCache(entry).then(
      () => console.log(`compile cache warmed by one start (${Math.round(performance.now() - started)} ms)`),
      (error: unknown) =>
        console.warn(`compile cache not warmed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
