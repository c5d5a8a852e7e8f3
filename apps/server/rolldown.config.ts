import { createRequire } from "node:module";
import { defineConfig, type Plugin } from "rolldown";
import { lazyRequiresPlugin } from "./lazy-requires.ts";

const required = "\0required:";

/** node:http's getters that load undici (nodejs/node#59686). */
const undiciGetters = new Set(["WebSocket", "CloseEvent", "MessageEvent"]);

/** A built-in's exports through `require`: all but node:http's undici getters and node:fs's getters. */
function exportedNames(builtin: "node:http" | "node:fs"): string[] {
  const exports: object = createRequire(import.meta.url)(builtin);
  const isGetter = (name: string) => Object.getOwnPropertyDescriptor(exports, name)?.get !== undefined;
  return Object.keys(exports).filter((name) =>
    builtin === "node:http" ? !undiciGetters.has(name) : !isGetter(name),
  );
}

/**
 * `import … from "node:http"` in an ES module (tRPC's node adapter, the metrics listener) made
 * Node load its whole bundled undici, 30–50 ms of every process's start: the ES module facade of
 * a built-in reads each of its exports once, and three of node:http's are getters that load
 * undici. node:fs's getters load its streams and `promises` (with node:readline): 2–5 ms of every
 * process. `require` reads none, so these imports get the built-in through `require`, with the
 * same exports as the facade's, read once at load as it does, but for those getters: an import of
 * one fails the build rather than loading what it guards. node:fs so only in this repository's
 * own modules: dependencies import its getters (OpenTelemetry's `promises`) or take the module
 * whole (tinyglobby), and those load on demand only. `require` calls are left as they are.
 */
function builtinsThroughRequire(): Plugin {
  return {
    name: "builtins-through-require",
    resolveId(source, importer, { kind }) {
      if (kind !== "import-statement" && kind !== "dynamic-import") return undefined;
      if (source === "node:http" || source === "http") return `${required}node:http`;
      const own = importer !== undefined && !importer.replaceAll("\\", "/").includes("/node_modules/");
      return own && (source === "node:fs" || source === "fs") ? `${required}node:fs` : undefined;
    },
    load(id) {
      if (id !== `${required}node:http` && id !== `${required}node:fs`) return undefined;
      const builtin = id === `${required}node:http` ? "node:http" : "node:fs";
      return [
        'import { createRequire } from "node:module";',
        `const builtin = createRequire(import.meta.url)("${builtin}");`,
        "export default builtin;",
        `export const { ${exportedNames(builtin).join(", ")} } = builtin;`,
      ].join("\n");
    },
  };
}

/**
 * `pnpm build` bundles the server and its dependencies into dist/ for `npm start` and the
 * benchmark: Node then loads a few large files instead of thousands of small ESM modules, which
 * halves the start (docs/performance.md). Tests and `pnpm dev` run the TypeScript sources.
 *
 * dist/ sits beside src/, so the paths the code takes from `import.meta.url` (the default
 * database under data/, the web build, the docs assets) resolve the same from either.
 */
export default defineConfig({
  input: { main: "src/main.ts" },
  platform: "node",
  // A native addon, loaded from node_modules at run time.
  external: ["better-sqlite3"],
  plugins: [builtinsThroughRequire(), lazyRequiresPlugin()],
  treeshake: {
    // packages/db's modules and packages/api's schemas do nothing when imported but define their
    // exports (none has a top-level statement of its own). Saying so lets a module that needs a
    // few of them leave the rest of their barrel out: the cluster's primary validates its
    // configuration (config.ts) without loading MikroORM or the API's schemas, which only the
    // workers use.
    moduleSideEffects: [
      { test: /\/packages\/db\/src\//, sideEffects: false },
      { test: /\/packages\/api\/src\/schemas\//, sideEffects: false },
    ],
  },
  output: {
    dir: "dist",
    cleanDir: true,
    format: "esm",
    // Class and function names stay as written: they show in logs and error names.
    keepNames: true,
    sourcemap: true,
    // Every process holds each chunk's source for as long as it runs. Without a comment or a
    // character outside ASCII, V8 holds it one byte a character instead of two: about 5 MB less
    // per process. Nothing reads the comments at run time, the source maps point into the
    // sources, and dist/ is a build output used in place, beside node_modules and the licences
    // its packages carry.
    charset: "ascii",
    comments: false,
    // Each database's driver stays in its own chunk, loaded only when that database is used.
    chunkFileNames: "[name]-[hash].js",
  },
});
