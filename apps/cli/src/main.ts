#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { runCli } from "./cli.ts";

// An export of a million users stays flat in memory with the old generation grown by half its
// live size before a full collection (docs/performance.md). Set here, once the imports above have
// loaded, not on the command line: V8 refuses Node's code cache of the built-in modules loaded
// after the flag changes (the server sets it once it serves: apps/server/src/heap-growth.ts).
setFlagsFromString("--heap-growing-percent=50");

// Reading stdout through `| head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt(listener) {
    process.on("SIGINT", listener);
    return () => process.off("SIGINT", listener);
  },
});
