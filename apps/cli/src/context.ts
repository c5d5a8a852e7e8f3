import type { Client } from "@app/client";
import type { CredentialSource } from "./credentials.ts";

/** A stream the CLI writes to; `isTTY` is set on terminals (process.stdout, process.stderr). */
export type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** The stream the CLI reads (`login` only): a terminal has `isTTY` and `setRawMode`, a pipe neither. */
export type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * Where the CLI reads and writes: the process's own streams, or captured ones in tests.
 * `onInterrupt` lets a command that runs until stopped (`watch`) take Ctrl-C as its way out: it
 * registers a listener and returns its removal; while one is registered, Ctrl-C no longer kills the
 * process. Tests pass their own, to stop such a command as a person would.
 */
export type Io = {
  stdin: Input;
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  onInterrupt?: (listener: () => void) => () => void;
};

/** Where the credential every call sends came from, and the file `login` keeps it in. */
export type Credentials = { source: CredentialSource; file: string };

/**
 * What every command gets: the typed client (sending the credential), the server URL, the output
 * mode, the streams, and where the credential came from.
 */
export type Context = { client: Client; url: string; json: boolean; io: Io; credentials: Credentials };
