import flags from "../../scripts/node-flags.json" with { type: "json" };

/**
 * The V8 flags `npm start` and `npm run cli` run Node with (scripts/toolchain.mjs): the bench
 * starts both servers and the CLI's export with them. A small young generation and an old
 * generation grown by half its live size before a full collection keep RSS under load lower for
 * the server and for an export of a million users, at the same speed (docs/performance.md).
 */
export const nodeFlags: readonly string[] = flags;
