import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli.ts";

export { startTestServer, type TestServer } from "../../server/test/support/harness.ts";

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

/** Runs the CLI in this process, as `cli ...args` would, against the server at `url`. */
export async function cli(url: string, ...args: string[]): Promise<CliResult> {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCli(["--url", url, ...args], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: {},
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs a script (the CLI's main.ts by default) as its own Node process and waits for it to exit. */
export function runNode(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
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
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

export const mainScript = fileURLToPath(new URL("../src/main.ts", import.meta.url));

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
