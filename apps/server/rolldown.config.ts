import { defineConfig } from "rolldown";

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
  output: {
    dir: "dist",
    cleanDir: true,
    format: "esm",
    // Class and function names stay as written: they show in logs and error names.
    keepNames: true,
    sourcemap: true,
    // Each database's driver stays in its own chunk, loaded only when that database is used.
    chunkFileNames: "[name]-[hash].js",
  },
});
