import { spawn } from "node:child_process";
import { once } from "node:events";
import { statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatMb } from "./format.ts";
import { nodeEnv, nodeFlags } from "./node-flags.ts";
import { readRss } from "./rss.ts";

const cliMain = fileURLToPath(new URL("../../apps/cli/src/main.ts", import.meta.url));

export type ExportMemory = { seconds: number; bytesWritten: number; cli: number[]; server: number[] };

/**
 * Runs the CLI's `export` of the whole table against a running server, sampling the RSS of both
 * processes once a second. Flat memory means the last samples look like the first ones.
 */
export async function measureExport(options: {
  url: string;
  serverPid: number;
  dir: string;
  /** An admin's token: exporting needs one. */
  token: string;
}): Promise<ExportMemory> {
  const out = join(options.dir, "export.jsonl");
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeFlags, cliMain, "export", "--url", options.url, "--out", out],
    {
      env: { ...nodeEnv, ...process.env, API_TOKEN: options.token },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const cli: number[] = [];
  const server: number[] = [];
  const timer = setInterval(() => {
    if (child.pid !== undefined) cli.push(readRss(child.pid) ?? 0);
    server.push(readRss(options.serverPid) ?? 0);
  }, 1000);
  const [code] = await once(child, "exit");
  clearInterval(timer);
  if (code !== 0) throw new Error(`export exited with ${String(code)}`);
  return {
    seconds: (performance.now() - started) / 1000,
    bytesWritten: statSync(out).size,
    cli: cli.filter((rss) => rss > 0),
    server,
  };
}

/** "first → middle → last, peak" of a series of RSS samples, in MB. */
export function describeSamples(samples: number[]): string {
  const at = (fraction: number) => formatMb(samples[Math.floor(fraction * (samples.length - 1))] ?? 0);
  return `${at(0)} -> ${at(0.5)} -> ${at(1)} MB (peak ${formatMb(Math.max(0, ...samples))} MB)`;
}

/** Flat: the peak of the second half at most 25% above the peak of the first half. */
export function isFlat(samples: number[]): boolean {
  const half = Math.ceil(samples.length / 2);
  const early = Math.max(0, ...samples.slice(0, half));
  const late = Math.max(0, ...samples.slice(half));
  return late <= early * 1.25;
}
