import { setFlagsFromString } from "node:v8";

/**
 * Lets V8's old generation grow by half its live size before a full collection, where V8 would
 * let it grow several times over: peak RSS under creates 192-204 -> 155-167 MB
 * (docs/performance.md). Called once a process serves, not at its start: V8 takes cached code
 * only if it was cached under the flags it runs with, so from this call on it refuses Node's
 * code cache of the built-in modules it loads, which a start loads 59 of (each then compiled
 * from source: some 20 ms a process). On the command line the flag cost every built-in module
 * its cache.
 */
export function limitHeapGrowth(): void {
  // Node loads the global `performance` (nine built-in modules) where it is first used, in the
  // first request's metrics: loaded now, while V8 still takes their cached code.
  performance.timeOrigin;
  setFlagsFromString("--heap-growing-percent=50");
}
