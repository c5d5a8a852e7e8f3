// The server's entry point: `node apps/server/src/main.ts` (Node >= 22.17 runs the TypeScript as is).
// It only turns on Node's compile cache before anything else loads: most of a start is loading
// and compiling modules (docs/performance.md), and the cache spares the compiling on every start
// after the first.
import cluster from "node:cluster";
import { enableCompileCache } from "node:module";
import { setFlagsFromString } from "node:v8";

// A terminal's Ctrl-C reaches every process of its group, cluster workers included: the primary
// alone decides what it means (cluster/primary.ts), so a worker ignores it from its first moment.
if (cluster.isWorker) process.on("SIGINT", () => {});
enableCompileCache();
// The old generation grows by half its live size before a full collection, where V8 would let it
// grow several times over: peak RSS under creates 192-204 -> 155-167 MB (docs/performance.md).
// Set here rather than on the command line, where any such flag made V8 refuse Node's code cache
// of its own built-in modules and compile each from source: some 25 ms of every start.
setFlagsFromString("--heap-growing-percent=50");
await import("./run.ts");
