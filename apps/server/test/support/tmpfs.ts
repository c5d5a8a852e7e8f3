import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A small file system of its own, to fill up, grow, or make read-only under a running server. */
export type Tmpfs = {
  /** Where it is mounted. */
  dir: string;
  /** Sets its size (`mount -o remount,size=…`): more room, or less. */
  resize(size: string): void;
  /** Makes it read-only or writable again; fails while a file on it is open for writing. */
  remount(mode: "ro" | "rw"): void;
  /** Writes a file that takes every byte left, and returns its path. */
  fill(): string;
  [Symbol.dispose](): void;
};

let probed: string | undefined | null = null;

/**
 * Why a tmpfs cannot be mounted here (mounting needs root, and a kernel that lets this process
 * mount), or undefined when it can. Probed once, by mounting a tiny one.
 */
export function tmpfsUnavailable(): string | undefined {
  if (probed === null) {
    try {
      mountTmpfs({ size: "64k" })[Symbol.dispose]();
      probed = undefined;
    } catch (error) {
      probed = `cannot mount a tmpfs here (it needs root): ${firstLine(error)}`;
    }
  }
  return probed;
}

/**
 * Mounts a tmpfs of `size` (`mount`'s syntax: `4m`) at a new folder, owned by `owner` (a user
 * name, such as `postgres`) when given, else by root. Dispose to unmount it and remove the folder.
 */
export function mountTmpfs(options: { size: string; owner?: string }): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), "tmpfs-"));
  const owner = options.owner
    ? `,uid=${idOf(options.owner, "-u")},gid=${idOf(options.owner, "-g")},mode=0700`
    : "";
  try {
    run("mount", ["-t", "tmpfs", "-o", `size=${options.size}${owner}`, "tmpfs", dir]);
  } catch (error) {
    rmdirSync(dir);
    throw error;
  }
  return {
    dir,
    resize: (size) => run("mount", ["-o", `remount,size=${size}`, dir]),
    remount: (mode) => run("mount", ["-o", `remount,${mode}`, dir]),
    fill: () => fill(join(dir, "filler")),
    [Symbol.dispose]() {
      try {
        run("umount", [dir]);
      } catch {
        // Something still holds a file open there (a test that failed half-way): detach it now,
        // the kernel frees it once that lets go.
        run("umount", ["-l", dir]);
      }
      rmdirSync(dir);
    },
  };
}

/** Appends to `path` until the file system is full: big writes first, then single pages. */
function fill(path: string): string {
  const fd = openSync(path, "w");
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as { code?: unknown }).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

function idOf(user: string, flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = stderr instanceof Buffer && stderr.length > 0 ? stderr.toString() : String(error);
  return text.trim().split("\n")[0] ?? "";
}
