import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { testAdmin } from "./harness.ts";

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export type ServerProcess = {
  child: ChildProcess;
  url: string;
  /** Everything the process has written to stdout and stderr so far (JSON log lines). */
  output(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * Starts `node src/main.ts` (or another entry, such as the built dist/main.js) as a user would,
 * and resolves once it logs the URL it serves. One server process unless `env` sets WORKERS:
 * workers.test.ts and built-server.test.ts run the cluster, and one process per core for every
 * server the other suites start would multiply their load for nothing they test.
 */
export function startServerProcess(env: Record<string, string>, entry = main): Promise<ServerProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // "close" rather than "exit": it waits for stdout and stderr to end, so no output is lost.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const stop = (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk;
      const match = /serving (http:\/\/[^ ]+)/.exec(output);
      if (match?.[1]) {
        resolve({
          child,
          url: match[1],
          output: () => output,
          stop,
          [Symbol.asyncDispose]: async () => void (await stop("SIGKILL")),
        });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

/** What a server process needs to create the test admin at start-up (an existing one is kept). */
export const adminEnv: Record<string, string> = {
  ADMIN_EMAIL: testAdmin.email,
  ADMIN_PASSWORD: testAdmin.password,
};

/** A server process started with the test admin, and that admin's session on it. */
export type AdminServerProcess = ServerProcess & {
  /** The admin's session token: valid on every server that shares the database. */
  adminToken: string;
  /** `Authorization: Bearer` with the admin's session, for raw HTTP calls. */
  adminHeaders: Record<string, string>;
};

/**
 * `startServerProcess` with ADMIN_EMAIL and ADMIN_PASSWORD set (`env` may override them), then
 * signed in as that admin: what a test that calls the API of a real process needs since accounts.
 */
export async function startAdminServerProcess(
  env: Record<string, string>,
  entry = main,
): Promise<AdminServerProcess> {
  const server = await startServerProcess({ ...adminEnv, ...env }, entry);
  try {
    const adminToken = await signInAsAdmin(server.url);
    return { ...server, adminToken, adminHeaders: { authorization: `Bearer ${adminToken}` } };
  } catch (error) {
    await server.stop("SIGKILL");
    throw error;
  }
}

/** Signs in as the test admin on a running server and returns the session token. */
export async function signInAsAdmin(url: string): Promise<string> {
  const { token } = await createClient({ url }).auth.signIn.mutate(testAdmin);
  return token;
}
