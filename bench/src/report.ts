import { availableParallelism, cpus, loadavg } from "node:os";
import type { DatabaseKind } from "./args.ts";
import { formatMb, formatMs, formatRate, formatRatio, markdownTable } from "./format.ts";
import type { LoadResult } from "./load.ts";
import { projectToRaw, type ScenarioResult, type Target, targetColumns } from "./targets.ts";

/** What the figures depend on: cores, CPU, Node, the database server, and how busy the machine was. */
export function describeMachine(database: string): string {
  const model = cpus()[0]?.model ?? "unknown CPU";
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
  return `${availableParallelism()} cores (nproc), ${model}, Node ${process.version}, ${database}, load average ${load}`;
}

const loadColumns = (prefix: string) => [`${prefix} req/s`, "p50 ms", "p99 ms", "errors", "peak RSS MB"];

function loadCells(result: LoadResult): string[] {
  return [
    formatRate(result.requestsPerSecond),
    formatMs(result.p50Ms),
    formatMs(result.p99Ms),
    String(result.errors),
    formatMb(result.peakRssBytes),
  ];
}

export function resultsTable(results: ScenarioResult[]): string {
  const header = ["scenario", ...loadColumns("project"), ...loadColumns("raw"), "project/raw"];
  const rows = results.map((result) => [
    result.name,
    ...loadCells(result.project),
    ...loadCells(result.raw),
    formatRatio(projectToRaw(result)),
  ]);
  return markdownTable(header, rows);
}

/** With `--baseline`: this commit against the other, scenario by scenario. */
export function baselineTable(results: ScenarioResult[], commit: string): string {
  const header = [
    "scenario",
    "this commit req/s",
    `${commit} req/s`,
    "this/baseline",
    "p50 ms (this / baseline)",
    "errors (this / baseline)",
  ];
  const rows = results.flatMap((result) =>
    result.baseline
      ? [
          [
            result.name,
            formatRate(result.project.requestsPerSecond),
            formatRate(result.baseline.requestsPerSecond),
            formatRatio(result.project.requestsPerSecond / Math.max(result.baseline.requestsPerSecond, 1e-9)),
            `${formatMs(result.project.p50Ms)} / ${formatMs(result.baseline.p50Ms)}`,
            `${result.project.errors} / ${result.baseline.errors}`,
          ],
        ]
      : [],
  );
  return markdownTable(header, rows);
}

export function targetsTable(targets: Target[], database: DatabaseKind): string {
  const rows = targets.map((target) => [
    target.name,
    target.goals.sqlite,
    target.goals.postgres,
    target.goals.mariadb,
    target.actual,
    target.met === undefined ? "-" : target.met ? "PASS" : "MISS",
  ]);
  return markdownTable(targetColumns(database), rows);
}
