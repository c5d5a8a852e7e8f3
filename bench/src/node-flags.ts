import env from "../../scripts/node-env.json" with { type: "json" };
import flags from "../../scripts/node-flags.json" with { type: "json" };

/**
 * The V8 flags `npm start` and `npm run cli` run Node with (scripts/toolchain.mjs): the bench
 * starts both servers and the CLI's export with them. A young generation sized for the requests
 * in flight, and two V8 helper threads a process (docs/performance.md). The server sets
 * `--heap-growing-percent=50` once it serves (apps/server/src/heap-growth.ts), the CLI's `main.ts`
 * at its start: on the command line it made V8 refuse Node's code cache of its built-in modules,
 * about 15 ms of every start, and so does setting it before the modules it loads.
 */
export const nodeFlags: readonly string[] = flags;

/**
 * The environment they run with (scripts/node-env.json), under the bench's own: malloc returning
 * each password hash's memory, which sign-ins would otherwise keep in the server's RSS for good.
 */
export const nodeEnv: Readonly<Record<string, string>> = env;
