import { createRequire } from "node:module";
import { defineConfig, type Plugin } from "rolldown";

const nodeHttpRequired = "\0node-http-required";

/** node:http's getters that load undici (nodejs/node#59686). */
const undiciGetters = new Set(["WebSocket", "CloseEvent", "MessageEvent"]);

/**
 * `import … from "node:http"` in an ES module (tRPC's node adapter, the metrics listener) made
 * Node load its whole bundled undici, 30–50 ms of every process's start: the ES module facade of
 * a built-in reads each of its exports once, and three of node:http's are getters that load
 * undici. `require("node:http")` reads none, so these imports get node:http through `require`,
 * with the same exports as the facade's, read once at load as it does, but for those three: an
 * import of one fails the build rather than loading undici. `require` calls are left as they are.
 */
function nodeHttpThroughRequire(): Plugin {
  const http: object = createRequire(import.meta.url)("node:http");
  const names = Object.keys(http).filter((name) => !undiciGetters.has(name));
  return {
    name: "node-http-through-require",
    resolveId(source, _importer, { kind }) {
      const imported = kind === "import-statement" || kind === "dynamic-import";
      return imported && (source === "node:http" || source === "http") ? nodeHttpRequired : undefined;
    },
    load(id) {
      if (id !== nodeHttpRequired) return undefined;
      return [
        'import { createRequire } from "node:module";',
        'const http = createRequire(import.meta.url)("node:http");',
        "export default http;",
        `export const { ${names.join(", ")} } = http;`,
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
  plugins: [nodeHttpThroughRequire()],
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
