import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type ChildExit, exitOf } from "./child-exit.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

export type TaskResult = ChildExit;

/**
 * Runs a root task as `npm run <task> -- <args>` does (`node scripts/toolchain.mjs <task> …`, from
 * the repository root), with `env` added and no `.env` file: a developer's settings must not
 * reach a test.
 */
export function runTask(
  task: "db" | "seed",
  args: string[],
  env: Record<string, string>,
): Promise<TaskResult> {
  const child = spawn(process.execPath, ["scripts/toolchain.mjs", task, ...args], {
    cwd: root,
    env: { ...process.env, DOTENV_CONFIG_PATH: "/nonexistent/.env", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return exitOf(child);
}
