import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "rolldown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import config from "../rolldown.config.ts";
import { removeLeftFolders, warmCompileCache, warmUpWorkers } from "../warm-compile-cache.ts";
import { startServerProcess } from "./support/server-process.ts";

// `pnpm build` ends with one start of the bundle (warm-compile-cache.ts), so that the first
// `npm start` after a build reads its code from Node's compile cache. Node says what it did with
// each module's cache under NODE_DEBUG_NATIVE=COMPILE_CACHE: "accepted" when V8 took it.
const serverRoot = fileURLToPath(new URL("..", import.meta.url));
let outDir = "";
let cacheDir = "";

beforeAll(async () => {
  outDir = mkdtempSync(join(serverRoot, ".test-build-"));
  cacheDir = mkdtempSync(join(tmpdir(), "compile-cache-"));
  await build({ ...config, cwd: serverRoot, output: { ...config.output, dir: outDir }, logLevel: "silent" });
}, 60_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

/** What Node did with the cache of each module of the build, at one start of it. */
async function cacheUseAtStart(): Promise<Map<string, string>> {
  const folder = mkdtempSync(join(tmpdir(), "warmed-start-"));
  try {
    const server = await startServerProcess(
      {
        DATABASE_URL: `sqlite:${join(folder, "test.db")}`,
        NODE_COMPILE_CACHE: cacheDir,
        NODE_DEBUG_NATIVE: "COMPILE_CACHE",
        // A cluster, as `npm start` runs one on a machine of two cores or more.
        WORKERS: String(warmUpWorkers),
      },
      join(outDir, "main.js"),
    );
    await server.stop();
    const prefix = pathToFileURL(outDir).href;
    const uses = new Map<string, string>();
    for (const [, url = "", use = ""] of server
      .output()
      .matchAll(/V8 code cache for ESM (\S+) was ([\w ]+?),/g)) {
      if (url.startsWith(prefix)) uses.set(url.slice(prefix.length + 1), use);
    }
    return uses;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe("the build's warm-up start", () => {
  it("leaves the code of every module a start loads in the compile cache, where the next start takes it", {
    timeout: 60_000,
  }, async () => {
    await warmCompileCache(join(outDir, "main.js"), { ...process.env, NODE_COMPILE_CACHE: cacheDir });
    const uses = await cacheUseAtStart();
    // The server's and the ORM's chunks, the run-time entry's and the SQLite driver's among them.
    expect(uses.size).toBeGreaterThan(10);
    expect([...uses].filter(([, use]) => use !== "accepted")).toEqual([]);
  });

  it("removes the folders that warm-ups killed outright left behind, and none a running one uses", () => {
    const parent = mkdtempSync(join(tmpdir(), "warm-up-folders-"));
    try {
      const folder = (name: string, minutesOld: number) => {
        const path = join(parent, name);
        mkdirSync(path);
        const at = new Date(Date.now() - minutesOld * 60_000);
        utimesSync(path, at, at);
        return path;
      };
      const left = folder("warm-compile-cache-left", 10);
      const running = folder("warm-compile-cache-running", 0.5);
      const other = folder("someone-elses", 10);
      removeLeftFolders(parent);
      expect([existsSync(left), existsSync(running), existsSync(other)]).toEqual([false, true, true]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
