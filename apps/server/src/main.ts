// The server's entry point: `node apps/server/src/main.ts` (Node >= 22.17 runs the TypeScript as is).
// It only turns on Node's compile cache before anything else loads: most of a start is loading
// and compiling modules (docs/performance.md), and the cache spares the compiling on every start
// after the first. V8's heap-growth limit waits until the process serves (heap-growth.ts).
import cluster from "node:cluster";
import { enableCompileCache } from "node:module";

// A terminal's Ctrl-C reaches every process of its group, cluster workers included: the primary
// alone decides what it means (cluster/primary.ts), so a worker ignores it from its first moment.
if (cluster.isWorker) process.on("SIGINT", () => {});
enableCompileCache();
await import("./run.ts");
