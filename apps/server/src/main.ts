// The server's entry point: `node apps/server/src/main.ts` (Node >= 22.17 runs the TypeScript as is).
// It only turns on Node's compile cache before anything else loads: most of a start is loading
// and compiling modules (docs/performance.md), and the cache spares the compiling on every start
// after the first.
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./run.ts");
