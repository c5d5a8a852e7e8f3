#!/usr/bin/env node
// Runs a project task with the pinned toolchain, fetching it first when needed.
//
// Machines that run this project may only have an older Node (20) and npm: no pnpm,
// and corepack fails its signature check there. So this script, which itself runs on
// any Node >= 18 with no dependencies, fetches the Node pinned in `.node-version`
// (the npm registry's `node-<platform>-<arch>` package) and the pnpm pinned in
// `packageManager` into the git-ignored `.tools/`, installs the workspace, and runs
// the task with both first on PATH. See docs/decisions/001-toolchain-bootstrap.md.
//
//   node scripts/toolchain.mjs start          build the web app and the server bundle, then run it
//   node scripts/toolchain.mjs test           the whole test suite
//   node scripts/toolchain.mjs dev            the server in watch mode and Vite (scripts/dev.ts)
//   node scripts/toolchain.mjs typecheck      every package, then the root scripts
//   node scripts/toolchain.mjs cli ARGS ...   the CLI (apps/cli)
//   node scripts/toolchain.mjs bench ARGS ... the benchmark (bench/)
//   node scripts/toolchain.mjs db ARGS ...    MikroORM's CLI (migration:list, migration:up, …)
//   node scripts/toolchain.mjs seed ARGS ...  demo data (--seed N, --users N, --force)
// start, dev, cli, bench, db and seed read `.env` in the repository root (the environment wins).
//   node scripts/toolchain.mjs exec CMD ...   any command (turbo, biome, pnpm, vitest)
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { constants, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as util from "node:util";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { signals } = constants;
const tools = join(root, ".tools");
const log = (message) => process.stderr.write(`[toolchain] ${message}\n`);

const pinnedNode = readFileSync(join(root, ".node-version"), "utf8").trim();
const pinnedPnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];

function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function npm(args, cwd) {
  const result = spawnSync("npm", ["--no-fund", "--no-audit", "--loglevel=error", ...args], {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
    shell: process.platform === "win32",
  });
  if (result.status !== 0) throw new Error(`npm ${args.join(" ")} failed`);
}

/** The folder holding a `node` binary at least as new as the pinned one. */
function ensureNode() {
  if (compareVersions(process.versions.node, pinnedNode) >= 0) return dirname(process.execPath);
  const dir = join(tools, `node-v${pinnedNode}`);
  const bin = join(dir, "bin");
  if (existsSync(join(bin, "node"))) return bin;
  const pkg = `node-${process.platform}-${process.arch}@${pinnedNode}`;
  log(
    `Node ${process.versions.node} is older than the pinned ${pinnedNode}: fetching ${pkg} from the npm registry`,
  );
  const scratch = mkdtempSync(join(tmpdir(), "toolchain-"));
  try {
    npm(["pack", pkg, "--pack-destination", scratch], scratch);
    const tarball = readdirTarball(scratch);
    mkdirSync(join(scratch, "x"));
    const untar = spawnSync("tar", ["-xzf", tarball, "-C", join(scratch, "x"), "--strip-components=1"], {
      stdio: "inherit",
    });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    mkdirSync(tools, { recursive: true });
    renameSync(join(scratch, "x"), dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return bin;
}

function readdirTarball(folder) {
  const found = readdirSync(folder).find((name) => name.endsWith(".tgz"));
  if (!found) throw new Error(`npm pack left no tarball in ${folder}`);
  return join(folder, found);
}

/** The folder holding the pinned `pnpm` (its native binary comes from the npm registry too). */
function ensurePnpm() {
  const prefix = join(tools, `pnpm-${pinnedPnpm}`);
  const bin = join(prefix, "node_modules", ".bin");
  if (existsSync(join(bin, "pnpm"))) return bin;
  log(`installing pnpm ${pinnedPnpm} into .tools/`);
  mkdirSync(prefix, { recursive: true });
  npm(["install", "--prefix", prefix, `pnpm@${pinnedPnpm}`], prefix);
  return bin;
}

/** Installs the workspace when the lockfile or the Node binary changed since the last install. */
function ensureDependencies(env) {
  const lockfile = join(root, "pnpm-lock.yaml");
  const stampFile = join(root, "node_modules", ".toolchain-stamp");
  const lock = existsSync(lockfile) ? readFileSync(lockfile) : "";
  const stamp = createHash("sha256").update(lock).update(pinnedNode).update(pinnedPnpm).digest("hex");
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  log("installing dependencies with pnpm");
  const args = ["install", "--reporter=append-only", ...(lock ? ["--frozen-lockfile"] : [])];
  // pnpm's output goes to stderr: stdout belongs to the task (e.g. the CLI's --json output).
  const result = spawnSync("pnpm", args, { cwd: root, env, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) throw new Error("pnpm install failed");
  writeFileSync(stampFile, stamp);
}

/** A child stopped by SIGINT or SIGTERM exits 0: the servers and watchers stop that way by design. */
const stoppedOnPurpose = (signal) => (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1);

/**
 * A command interrupted (Ctrl-C) did not finish: 128 + the signal's number, as a shell reports it,
 * so `npm run seed && npm start` or `npm run cli -- export … && next-step` stops there.
 */
const interrupted = (signal) => 128 + (signals[signal] ?? 0);

/** Runs a command in the foreground, forwarding SIGINT/SIGTERM, and resolves with its exit code. */
function run(command, args, env, exitCodeForSignal = stoppedOnPurpose) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? exitCodeForSignal(signal));
    });
  });
}

/**
 * V8 flags for the long-running processes (the server, the CLI's exports): semi-spaces of 8 MB,
 * twice the previous 4 (fewer of a request's objects copied and promoted; 10 or 12 MB cost more
 * RSS than the 160 MB target leaves), two V8 helper threads per process (one process runs per
 * core), and, set at run time once a server serves (apps/server/src/heap-growth.ts) and by the
 * CLI's main.ts, an old generation grown by half its live size before a full collection
 * (docs/performance.md, "third round").
 */
const nodeFlags = JSON.parse(readFileSync(join(root, "scripts/node-flags.json"), "utf8"));

/**
 * Environment for the same processes, under what the caller's environment sets: glibc's malloc
 * with a fixed mmap threshold, so that the 19 MiB each password hash takes goes back to the system
 * once hashed. glibc otherwise raises its threshold after the first hash and keeps every later
 * one's memory in the hashing thread's arena: up to 76 MB of RSS for good after four concurrent
 * sign-ins (docs/performance.md). Other C libraries ignore the variable.
 */
const nodeEnv = JSON.parse(readFileSync(join(root, "scripts/node-env.json"), "utf8"));

/**
 * `.env` in the repository root, for the tasks that run the application (never the tests, whose
 * servers must not pick up a developer's settings). A variable already set in the environment
 * wins; values are never printed, since they may be secrets.
 */
function withDotEnv(env) {
  // DOTENV_CONFIG_PATH names another file (dotenv's own convention).
  const file = process.env.DOTENV_CONFIG_PATH || join(root, ".env");
  if (!existsSync(file)) return env;
  // Without the byte-order mark some Windows editors write, the first name would carry it and
  // never match the variable it spells (while the log line below showed it as applied).
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const parsed = typeof util.parseEnv === "function" ? util.parseEnv(text) : parseEnvFallback(text);
  const applied = [];
  const kept = [];
  const merged = { ...env };
  for (const [name, value] of Object.entries(parsed)) {
    if (process.env[name] !== undefined) kept.push(name);
    else {
      merged[name] = value;
      applied.push(name);
    }
  }
  log(
    `${file === join(root, ".env") ? ".env" : file}: ${applied.length > 0 ? applied.join(", ") : "nothing"} applied` +
      (kept.length > 0 ? `; ${kept.join(", ")} already set in the environment, kept` : ""),
  );
  return merged;
}

/** `NAME=value` lines for a Node without util.parseEnv (before 20.12): quotes, comments, `export`. */
function parseEnvFallback(text) {
  const parsed = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quoted = /^(['"`])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replaceAll("\\n", "\n") : quoted[2];
    else value = value.replace(/\s+#.*$/, "");
    parsed[match[1]] = value;
  }
  return parsed;
}

/** The tasks that run the application, and so read `.env`. */
const readsDotEnv = new Set(["start", "dev", "cli", "bench", "db", "seed"]);

const tasks = {
  async start(env) {
    // A Ctrl-C during the build stops it, and must not start the server: turbo stops its tasks
    // and exits 0 when interrupted, so the signal itself is what says so.
    let stoppedBy;
    const remember = (signal) => {
      stoppedBy ??= signal;
    };
    process.on("SIGINT", remember);
    process.on("SIGTERM", remember);
    const built = await run("turbo", ["run", "build", "--output-logs=errors-only"], env);
    process.off("SIGINT", remember);
    process.off("SIGTERM", remember);
    if (stoppedBy) {
      log(`${stoppedBy} during the build: the server was not started`);
      return interrupted(stoppedBy);
    }
    if (built !== 0) return built;
    // The bundled server (apps/server/rolldown.config.ts): half the start of the sources. The
    // benchmark starts it the same way.
    return run("node", [...nodeFlags, "apps/server/dist/main.js"], { ...nodeEnv, ...env });
  },
  cli: (env, args) =>
    run("node", [...nodeFlags, "apps/cli/src/main.ts", ...args], { ...nodeEnv, ...env }, interrupted),
  // Not through turbo, whose strict environment mode dropped DATABASE_URL and the rest: scripts/dev.ts.
  dev: (env) => run("node", ["scripts/dev.ts"], env),
  test: (env, args) => run("vitest", ["run", ...args], env),
  bench: (env, args) => run("node", ["bench/src/main.ts", ...args], env),
  // MikroORM's own CLI (packages/db/src/cli/main.ts) on the database the server would use: its
  // configuration file is the server's unless --config names another. Colours only on a terminal.
  db: (env, args) =>
    run(
      "node",
      [
        "packages/db/src/cli/main.ts",
        ...args,
        // Last: --config takes every value that follows it.
        ...(args.some((arg) => arg === "--config" || arg.startsWith("--config="))
          ? []
          : ["--config", "apps/server/mikro-orm.config.ts"]),
      ],
      process.stdout.isTTY || env.FORCE_COLOR !== undefined ? env : { MIKRO_ORM_NO_COLOR: "1", ...env },
      interrupted,
    ),
  // Demo data in the database the server would use (apps/server/src/seed/main.ts).
  seed: (env, args) => run("node", ["apps/server/src/seed/main.ts", ...args], env, interrupted),
  async typecheck(env) {
    const packages = await run("turbo", ["run", "typecheck", "--output-logs=errors-only"], env);
    return packages !== 0 ? packages : run("tsc", ["-p", "tsconfig.json"], env);
  },
  exec: (env, [command, ...args]) => run(command, args, env),
};

async function main() {
  const [taskName = "", ...args] = process.argv.slice(2);
  const task = tasks[taskName];
  if (!task) {
    log(`unknown task "${taskName}"; one of: ${Object.keys(tasks).join(", ")}`);
    return 2;
  }
  const nodeBin = ensureNode();
  const pnpmBin = ensurePnpm();
  const PATH = [nodeBin, pnpmBin, join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter);
  const env = { ...process.env, PATH, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };
  ensureDependencies(env);
  return task(readsDotEnv.has(taskName) ? withDotEnv(env) : env, args);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
