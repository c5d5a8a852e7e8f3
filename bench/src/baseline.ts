import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `--baseline <git ref>`: another commit of this project, built as `npm start` builds it, to
 * measure against in the same run (what a change costs, on the same machine in the same minutes).
 * Checked out once per commit into a git worktree under the temp folder, installed from pnpm's
 * store (offline) and built; later runs reuse it. Returns its server's main.js.
 */
export function buildBaseline(
  ref: string,
  log: (message: string) => void,
): { entry: string; commit: string } {
  const commit = run("git", ["rev-parse", "--short=12", `${ref}^{commit}`], process.cwd()).trim();
  const dir = join(tmpdir(), `bench-baseline-${commit}`);
  const entry = join(dir, "apps/server/dist/main.js");
  if (existsSync(entry)) return { entry, commit };
  if (!existsSync(dir)) {
    log(`checking out ${ref} (${commit}) into ${dir}`);
    run("git", ["worktree", "add", "--detach", dir, commit], process.cwd());
  }
  log(`installing and building ${commit}`);
  run("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=silent"], dir);
  run("pnpm", ["exec", "turbo", "run", "build", "--filter=@app/server", "--output-logs=errors-only"], dir);
  if (!existsSync(entry)) throw new Error(`building ${commit} made no ${entry}`);
  return { entry, commit };
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}`);
  return result.stdout;
}
