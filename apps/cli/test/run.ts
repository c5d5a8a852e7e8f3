import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli.ts";
import type { Input } from "../src/context.ts";

export { startTestServer, type TestServer, testAdmin } from "../../server/test/support/harness.ts";

export type CliResult = { code: number; stdout: string; stderr: string };

/** A stream that keeps what is written to it, as a terminal would show it (or not, when `isTTY`). */
function captureStream(isTTY = false) {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

/** A server the CLI runs against as its admin, as every suite did before accounts existed. */
type AdminTarget = { url: string; adminToken: string };

/**
 * Runs the CLI in this process, as `cli ...args` would: against a test server as its admin (its
 * token in API_TOKEN), or against a bare URL with no credential at all.
 */
export function cli(target: string | AdminTarget, ...args: string[]): Promise<CliResult> {
  if (typeof target === "string") return runCliWith({ url: target }, ...args);
  return runCliWith({ url: target.url, env: { API_TOKEN: target.adminToken } }, ...args);
}

export type CliOptions = {
  url: string;
  /** The environment the CLI sees; nothing from this process's own leaks in. */
  env?: Record<string, string>;
  /** What stdin holds (`--password-stdin`); a pipe, not a terminal. Or a stream, a fake terminal say. */
  stdin?: string | Input;
};

/**
 * Points the credentials file at a path nobody writes, unless the test names its own (with
 * XDG_CONFIG_HOME or USERS_ITEMS_CREDENTIALS): a test never reads or writes the credentials of
 * the person running the tests.
 */
function isolated(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.XDG_CONFIG_HOME !== undefined || env.USERS_ITEMS_CREDENTIALS !== undefined) return env;
  const nowhere = join(tmpdir(), `cli-test-no-credentials-${process.pid}`, "credentials.json");
  return { ...env, USERS_ITEMS_CREDENTIALS: nowhere };
}

/** Runs the CLI in this process with the environment and stdin given. */
export async function runCliWith(options: CliOptions, ...args: string[]): Promise<CliResult> {
  const stdout = captureStream();
  const stderr = captureStream();
  const stdin =
    typeof options.stdin === "object"
      ? options.stdin
      : Readable.from(options.stdin === undefined ? [] : [options.stdin]);
  const code = await runCli(["--url", options.url, ...args], {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: isolated(options.env ?? {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Runs a script (the CLI's main.ts by default) as its own Node process and waits for it to exit.
 * It sees this process's environment less any API_URL or API_TOKEN, and no one's credentials
 * file, plus `env`; its stdin is a pipe holding `stdin` (empty by default).
 */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<CliResult> {
  const {
    API_URL: _url,
    API_TOKEN: _token,
    XDG_CONFIG_HOME: _config,
    USERS_ITEMS_CREDENTIALS: _credentials,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...inherited, ...isolated(env) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

export const mainScript = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** A command left running (`watch`): what it printed so far, a wait on that, and Ctrl-C. */
export type RunningCli = {
  stdout(): string;
  stderr(): string;
  /** stdout's complete lines. */
  lines(): string[];
  /** Waits until `done` holds of the output, failing with `what` and the output after `ms`. */
  until(done: (running: RunningCli) => boolean, what: string, ms?: number): Promise<void>;
  /** Ctrl-C: SIGINT for a process, the interrupt listener for an in-process run. */
  interrupt(): void;
  exited: Promise<CliResult>;
  /** Stops it if it still runs (a test that failed half-way) and waits for it to end. */
  [Symbol.asyncDispose](): Promise<void>;
};

function running(
  output: { stdout(): string; stderr(): string },
  interrupt: () => void,
  exited: Promise<CliResult>,
  kill: () => void = interrupt,
): RunningCli {
  let result: CliResult | undefined;
  void exited.then((value) => {
    result = value;
  });
  const self: RunningCli = {
    ...output,
    lines: () => output.stdout().split("\n").slice(0, -1),
    async until(done, what, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!done(self)) {
        if (result !== undefined || Date.now() > deadline) {
          const why = result === undefined ? `timed out after ${ms} ms` : `it exited with ${result.code}`;
          throw new Error(
            `${why} waiting for ${what}\nstdout:\n${output.stdout()}\nstderr:\n${output.stderr()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    interrupt,
    exited,
    async [Symbol.asyncDispose]() {
      if (result === undefined) kill();
      await exited;
    },
  };
  return self;
}

/** Starts the CLI in this process as `cli` does, and leaves it running. */
export function startCli(target: AdminTarget | CliOptions, ...args: string[]): RunningCli {
  const options: CliOptions =
    "adminToken" in target ? { url: target.url, env: { API_TOKEN: target.adminToken } } : target;
  const stdout = captureStream();
  const stderr = captureStream();
  const listeners = new Set<() => void>();
  const exited = runCli(["--url", options.url, ...args], {
    stdin: Readable.from([]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: isolated(options.env ?? {}),
    onInterrupt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  }).then((code) => ({ code, stdout: stdout.text(), stderr: stderr.text() }));
  return running(
    { stdout: stdout.text, stderr: stderr.text },
    () => {
      for (const listener of listeners) listener();
    },
    exited,
  );
}

/** Starts the CLI's main.ts as its own process (environment as for `runNode`), and leaves it running. */
export function spawnCli(args: string[], env: Record<string, string> = {}): RunningCli {
  return spawnScript(mainScript, args, env);
}

/** Starts a script as its own Node process (environment as for `runNode`), and leaves it running. */
export function spawnScript(script: string, args: string[], env: Record<string, string> = {}): RunningCli {
  const {
    API_URL: _url,
    API_TOKEN: _token,
    XDG_CONFIG_HOME: _config,
    USERS_ITEMS_CREDENTIALS: _credentials,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...inherited, ...isolated(env) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })),
  );
  return running(
    { stdout: () => stdout, stderr: () => stderr },
    () => child.kill("SIGINT"),
    exited,
    () => child.kill("SIGKILL"),
  );
}

/** A scratch folder removed on dispose, with a helper to write files into it. */
export function scratchFolder() {
  const folder = mkdtempSync(join(tmpdir(), "cli-test-"));
  return {
    folder,
    file(name: string, content = ""): string {
      const path = join(folder, name);
      writeFileSync(path, content);
      return path;
    },
    [Symbol.dispose]() {
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A URL where nothing listens: a port the system just handed out and took back. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
