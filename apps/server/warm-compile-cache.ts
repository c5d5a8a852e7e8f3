// `pnpm build`'s last step (package.json): `node warm-compile-cache.ts dist/main.js`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import nodeEnv from "../../scripts/node-env.json" with { type: "json" };
import nodeFlags from "../../scripts/node-flags.json" with { type: "json" };

/** The environment a warm-up passes on: where the compile cache is, and nothing of the server's own. */
const passedOn = ["PATH", "HOME", "TMPDIR", "NODE_COMPILE_CACHE", "NODE_COMPILE_CACHE_PORTABLE"];

/**
 * Starts the built server once as `npm start` does (its Node flags, its default number of
 * workers) on an empty SQLite file and any free port, asks it for /health, and stops it. Every
 * module a start loads is then in Node's compile cache (main.ts turns it on), so the first start
 * after a build reads its code from the cache as the later ones do, instead of compiling some 3 MB
 * of JavaScript first: that first start is the benchmark's "start to first 200".
 *
 * A real start rather than an import of each chunk: it loads what a start loads, in its order and
 * under its V8 flags (the server changes one once it serves: src/heap-growth.ts), and V8 takes
 * only code cached under the flags it runs with. It refused a cache filled by importing the
 * chunks when the server still changed that flag before loading them (docs/performance.md).
 */
export async function warmCompileCache(entry: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "warm-compile-cache-"));
  try {
    await startAndStop(entry, {
      ...Object.fromEntries(passedOn.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]]))),
      ...nodeEnv,
      DATABASE_URL: `sqlite:${join(folder, "warm.db")}`,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      NODE_ENV: "production",
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Resolves once the server at `entry` has answered /health and exited again. */
function startAndStop(entry: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [...nodeFlags, entry], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  const giveUp = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise<void>((done, fail) => {
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
    void exited.then((code) => {
      clearTimeout(giveUp);
      if (asked && code === 0) done();
      else
        fail(new Error(`the server exited with ${code}${asked ? "" : " before serving"}:\n${output.trim()}`));
    });
  });
}

if (import.meta.main) {
  const entry = resolve(process.argv[2] ?? "dist/main.js");
  if (process.env.NODE_DISABLE_COMPILE_CACHE) {
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
