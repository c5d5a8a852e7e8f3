import type { Client } from "@app/client";

/** A stream the CLI writes to; `isTTY` is set on terminals (process.stdout, process.stderr). */
export type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Where the CLI reads and writes: the process's own streams, or captured ones in tests. */
export type Io = { stdout: Output; stderr: Output; env: Record<string, string | undefined> };

/** What every command gets: the typed client, the server URL, the output mode and the streams. */
export type Context = { client: Client; url: string; json: boolean; io: Io };
