import { type DatabaseKind, databaseNames } from "./args.ts";
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

/** A target of issue 18 and this run's figure; `met` undefined: it does not apply to this database. */
export type Target = {
  name: string;
  /** The goal on each database, as the table gives it. */
  goals: Record<DatabaseKind, string>;
  actual: string;
  met: boolean | undefined;
};

const mb = 1024 * 1024;

/** Project/raw ratios of issue 18's table, per database: the batch against the raw ceiling's own batch. */
const ratioGoals: { scenario: string; name: string; goals: Record<DatabaseKind, number> }[] = [
  {
    scenario: "users.byId",
    name: "users.byId with items (authenticated): project/raw",
    goals: { sqlite: 0.5, postgres: 0.5, mariadb: 0.5 },
  },
  {
    scenario: "users.list",
    name: "users.list, 20 with items: project/raw",
    goals: { sqlite: 0.75, postgres: 0.6, mariadb: 0.6 },
  },
  {
    scenario: "users.create",
    name: "users.create (change row included): project/raw",
    goals: { sqlite: 0.5, postgres: 0.5, mariadb: 0.5 },
  },
  {
    scenario: "users.byId x10 batch",
    name: "batch of 10 users.byId, calls/s: project/raw's batch",
    goals: { sqlite: 0.75, postgres: 0.6, mariadb: 0.6 },
  },
];

const everywhere = (goal: string): Record<DatabaseKind, string> => ({
  sqlite: goal,
  postgres: goal,
  mariadb: goal,
});

/** The targets, each a figure of this one run on `database`; a MISS is reported, never a failure. */
export function evaluateTargets(
  results: ScenarioResult[],
  startMs: number,
  database: DatabaseKind,
): Target[] {
  const targets: Target[] = [];
  for (const goal of ratioGoals) {
    const result = results.find((candidate) => candidate.name === goal.scenario);
    if (!result) continue;
    const ratio = projectToRaw(result);
    targets.push({
      name: goal.name,
      goals: {
        sqlite: `>= ${formatRatio(goal.goals.sqlite)}`,
        postgres: `>= ${formatRatio(goal.goals.postgres)}`,
        mariadb: `>= ${formatRatio(goal.goals.mariadb)}`,
      },
      actual: formatRatio(ratio),
      met: ratio >= goal.goals[database],
    });
  }
  const peak = Math.max(...results.map((result) => result.project.peakRssBytes));
  targets.push({
    name: "peak server RSS under load (one process)",
    goals: everywhere("<= 160 MB"),
    actual: `${formatMb(peak)} MB`,
    met: peak <= 160 * mb,
  });
  targets.push({
    name: "start to first 200, empty database",
    goals: { sqlite: "<= 300 ms", postgres: "-", mariadb: "-" },
    actual: `${Math.round(startMs)} ms`,
    met: database === "sqlite" ? startMs <= 300 : undefined,
  });
  return targets;
}

export function projectToRaw(result: ScenarioResult): number {
  return result.raw.requestsPerSecond > 0
    ? result.project.requestsPerSecond / result.raw.requestsPerSecond
    : 0;
}

/** The verdict table: the goals on all three databases, this run's figure against its own. */
export function targetColumns(database: DatabaseKind): string[] {
  return [
    "target",
    ...(Object.keys(databaseNames) as DatabaseKind[]).map((kind) =>
      kind === database ? `${databaseNames[kind]} (this run)` : databaseNames[kind],
    ),
    "this run",
    "verdict",
  ];
}
