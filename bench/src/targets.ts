import { formatMb, formatRatio } from "./format.ts";
import type { LoadResult } from "./load.ts";

export type ScenarioResult = {
  name: string;
  callsPerRequest: number;
  project: LoadResult;
  raw: LoadResult;
  /** With `--baseline`: the other commit's figures. */
  baseline?: LoadResult | undefined;
};

export type Target = { name: string; goal: string; actual: string; met: boolean };

const mb = 1024 * 1024;

/** The targets, each a figure of this one run; a MISS is reported, never a failure. */
export function evaluateTargets(results: ScenarioResult[], startMs: number): Target[] {
  const find = (name: string) => results.find((result) => result.name === name);
  const targets: Target[] = [];
  for (const name of ["users.byId", "users.list", "users.create", "items.create"]) {
    const result = find(name);
    if (!result) continue;
    const ratio = projectToRaw(result);
    targets.push({
      name: `${name}: project/raw`,
      goal: ">= 0.30x",
      actual: formatRatio(ratio),
      met: ratio >= 0.3,
    });
  }
  const single = find("users.byId");
  const batch = find("users.byId x10 batch");
  if (single && batch) {
    const ratio = readsPerSecond(batch) / single.project.requestsPerSecond;
    targets.push({
      name: "batch of 10: reads/s vs single requests",
      goal: ">= 4.00x",
      actual: formatRatio(ratio),
      met: ratio >= 4,
    });
  }
  const peak = Math.max(...results.map((result) => result.project.peakRssBytes));
  targets.push({
    name: "server RSS under load",
    goal: "<= 200 MB",
    actual: `${formatMb(peak)} MB`,
    met: peak <= 200 * mb,
  });
  targets.push({
    name: "start to first 200, empty database",
    goal: "< 1000 ms",
    actual: `${Math.round(startMs)} ms`,
    met: startMs < 1000,
  });
  return targets;
}

export function projectToRaw(result: ScenarioResult): number {
  return result.raw.requestsPerSecond > 0
    ? result.project.requestsPerSecond / result.raw.requestsPerSecond
    : 0;
}

/** Reads per second of the project: requests/s times the calls each request carries. */
export function readsPerSecond(result: ScenarioResult): number {
  return result.project.requestsPerSecond * result.callsPerRequest;
}
