import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let found: { path: string | undefined } | undefined;

/**
 * The file of better-sqlite3's prebuilt addon for this platform, where better-sqlite3 itself
 * looks first (lib/binding.js: `prebuilds/<platform>-<arch>.node`, `linuxmusl-…` on musl), or
 * undefined to leave the search to it. Its own search asks `process.report.getReport()` whether
 * Linux runs on musl, which takes about 2 ms of every process's start; here the C library mapped
 * into this process says it.
 */
export function sqliteAddonPath(): string | undefined {
  found ??= { path: prebuiltAddon() };
  return found.path;
}

function prebuiltAddon(): string | undefined {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json"));
  } catch {
    return undefined;
  }
  const platform = process.platform === "linux" ? linuxLibc() : process.platform;
  if (platform === undefined) return undefined;
  const file = join(root, "prebuilds", `${platform}-${process.arch}.node`);
  return existsSync(file) ? file : undefined;
}

/** `linux` on glibc, `linuxmusl` on musl (better-sqlite3's names), from /proc/self/maps. */
function linuxLibc(): "linux" | "linuxmusl" | undefined {
  let maps: string;
  try {
    maps = readFileSync("/proc/self/maps", "latin1");
  } catch {
    return undefined;
  }
  // musl is its own dynamic loader (ld-musl-<arch>.so.1); glibc's C library is libc.so.6.
  if (/\/ld-musl-[^/\s]+\.so/.test(maps)) return "linuxmusl";
  if (/\/libc\.so\.6$/m.test(maps)) return "linux";
  return undefined;
}
