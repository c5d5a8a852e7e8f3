import type { ChildProcess } from "node:child_process";

export type ChildExit = { code: number | null; stdout: string; stderr: string };

/**
 * What a child process (spawned with piped stdout and stderr) printed, once it has exited and its
 * output is closed; rejects if it could not be started at all.
 */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
