import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { exitOf } from "./support/child-exit.ts";
import { freePort } from "./support/free-port.ts";

// `npm start` (scripts/toolchain.mjs start): the build, then the server. README's first command.

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The command lines of the processes of a process group (Linux's /proc). */
function commandsOfGroup(group: number): string[] {
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      // The group is the fifth field of stat, the third after the command's closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) return [];
      return [readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ")];
    } catch {
      return []; // Ended meanwhile.
    }
  });
}

describe.skipIf(process.platform !== "linux")("npm start", () => {
  it("stops at a Ctrl-C during the build, without starting the server", { timeout: 60_000 }, async () => {
    const folder = mkdtempSync(join(tmpdir(), "start-task-"));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const port = await freePort();
    // In a process group of its own, as a terminal runs a command: its Ctrl-C reaches the group.
    const child = spawn(process.execPath, ["scripts/toolchain.mjs", "start"], {
      cwd: root,
      detached: true,
      env: {
        ...process.env,
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        DATABASE_URL: `sqlite:${join(folder, "app.db")}`,
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const group = child.pid;
    if (group === undefined) throw new Error("no pid");
    cleanups.push(() => {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // Already gone.
      }
    });
    const exit = exitOf(child);
    await expect
      .poll(() => commandsOfGroup(group).some((command) => /turbo.* run build/.test(command)), {
        timeout: 30_000,
        interval: 10,
      })
      .toBe(true);
    process.kill(-group, "SIGINT");

    // turbo stops its tasks and exits 0; the task ends as an interrupted command, nothing started.
    const stillRunning = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000));
    const ended = await Promise.race([exit, stillRunning]);
    expect(ended?.code, "npm start still runs 20 s after the Ctrl-C").toBe(130);
    expect(ended?.stdout).not.toContain("serving http://");
    expect(ended?.stderr).toContain("[toolchain] SIGINT during the build: the server was not started");
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
