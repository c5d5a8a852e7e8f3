import { redact } from "@app/db";

/** The line that says the server is up: where, what it serves, on which database (no password). */
export function servingMessage(url: string, databaseUrl: string, workers = 1): string {
  const processes = workers > 1 ? ` with ${workers} worker processes` : "";
  return `serving ${url} (web app at /, tRPC at /trpc, REST at /api, docs at /docs, health at /health) on ${redact(databaseUrl)}${processes}`;
}
