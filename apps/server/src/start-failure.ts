import { ConfigError } from "./config.ts";

/**
 * The one line a start that failed prints (on stderr, before exit code 1): a configuration problem
 * as it is, anything else after "failed to start:", with what to do where there is something to do.
 */
export function startFailureMessage(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    return `failed to start: ${error.message} (set PORT to use another port)`;
  }
  return `failed to start: ${error instanceof Error ? error.message : String(error)}`;
}
