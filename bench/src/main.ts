// `pnpm bench`: the project server against the raw ceiling, scenario by scenario; prints figures,
// never fails on speed. See docs/performance.md.
import { availableParallelism } from "node:os";
import { databaseNames, parseBenchArgs } from "./args.ts";
import { buildBaseline } from "./baseline.ts";
import { prepareDatabases } from "./database.ts";
import { type FanOutResult, fanOutTable, measureFanOut } from "./fanout.ts";
import { measureInRounds } from "./load.ts";
import {
  type ObservabilityRow,
  observabilityTable,
  observabilityVariants,
  startTraceSink,
} from "./observability.ts";
import { checkParity } from "./parity.ts";
import { baselineTable, describeMachine, resultsTable, targetsTable } from "./report.ts";
import { runScale } from "./scale.ts";
import { buildScenarios } from "./scenarios.ts";
import {
  adminAuthorization,
  buildProjectServer,
  type RunningServer,
  startProjectServer,
  startRawServer,
} from "./servers.ts";
import { evaluateTargets, type ScenarioResult } from "./targets.ts";

const options = parseBenchArgs(process.argv.slice(2));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

log("building the server as `npm start` does");
buildProjectServer();
if (options.scale) await runScale(options, log);
else if (options.fanOut) await runFanOutOnly();
else await runMain();

async function runMain(): Promise<void> {
  const baseline = options.baseline === undefined ? undefined : buildBaseline(options.baseline, log);
  log(
    `seeding ${options.users} users with ${options.itemsPerUser} items each into ${databaseNames[options.database]}`,
  );
  await using databases = await prepareDatabases(
    options.database,
    { users: options.users, itemsPerUser: options.itemsPerUser },
    options.pool,
    baseline?.entry,
  );
  const machine = describeMachine(databases.version);
  const poolMax = options.pool;
  const servers: (RunningServer & { authorization?: string })[] = [];
  // Every server started is stopped, whatever fails; after the measurements at the latest.
  await using running = new AsyncDisposableStack();
  const started = async (starting: Promise<RunningServer>) => {
    const server = await starting;
    running.defer(() => server.stop());
    return server;
  };
  // Every call is made as a signed-in admin: what authentication costs is part of the figure.
  const project = await started(startProjectServer(databases.projectUrl, { admin: true, poolMax }));
  servers.push(project);
  const authorization = await adminAuthorization(project.url);
  // The raw ceiling checks the same session's token (its copy of the file holds it on SQLite).
  const raw = await started(startRawServer(await databases.rawUrl(), poolMax));
  servers.push(raw);
  if (baseline && databases.baselineUrl) {
    const other = await started(
      startProjectServer(databases.baselineUrl, {
        admin: true,
        entry: baseline.entry,
        target: "baseline",
        poolMax,
      }),
    );
    // A build with accounts needs a session of its own database; one without ignores it.
    const authorization = await adminAuthorization(other.url).catch(() => undefined);
    servers.push({ ...other, ...(authorization && { authorization }) });
  }
  // The same build as one process (WORKERS=1) against the default (a process per core), and with
  // --observability, with metrics off and with tracing on: all measured in the same slices.
  await using sink = options.observability ? await startTraceSink() : undefined;
  const variants = [
    { label: "1 worker", env: { WORKERS: "1" } },
    ...(sink ? observabilityVariants(sink.url) : []),
  ];
  for (const variant of variants) {
    const server = await started(
      startProjectServer(databases.projectUrl, { admin: true, target: "variant", env: variant.env, poolMax }),
    );
    servers.push({ ...server, authorization: await adminAuthorization(server.url) });
  }
  const variantRows: ObservabilityRow[] = [];
  const results: ScenarioResult[] = [];
  const scenarios = buildScenarios({ users: options.users, authorization });
  try {
    const mismatches = await checkParity(scenarios, { project: project.url, raw: raw.url });
    for (const mismatch of mismatches) log(`raw ceiling answers differently: ${mismatch}`);
    if (mismatches.length === 0) log("raw ceiling answers as the project does");
    // Reads first, then creates, so the reads see the seeded rows; within each group every
    // scenario runs on every server in interleaved slices (load.ts).
    for (const group of [scenarios.filter((s) => !s.writes), scenarios.filter((s) => s.writes)]) {
      log(
        `measuring ${group.map((scenario) => scenario.name).join(", ")}: ${servers.map((s) => s.target).join(", ")} in turn`,
      );
      const measured = await measureInRounds(group, servers, options, log);
      group.forEach((scenario, i) => {
        const perServer = measured[i] ?? [];
        const projectResult = perServer[servers.indexOf(project)];
        const rawResult = perServer[servers.indexOf(raw)];
        const baselineIndex = servers.findIndex((server) => server.target === "baseline");
        const baselineResult = baselineIndex < 0 ? undefined : perServer[baselineIndex];
        if (projectResult && rawResult) {
          results.push({ ...scenario, project: projectResult, raw: rawResult, baseline: baselineResult });
          const variantResults = servers.flatMap((server, j) =>
            server.target === "variant" ? (perServer[j] ?? []) : [],
          );
          if (variants.length > 0) {
            variantRows.push({ name: scenario.name, project: projectResult, variants: variantResults });
          }
        }
      });
    }
  } finally {
    await running.disposeAsync();
  }
  const fanOut = options.subscribers > 0 ? await runFanOut(databases.projectUrl) : undefined;
  const settings = `${databaseNames[options.database]}, ${options.users} users x ${options.itemsPerUser} items, ${options.connections} connections, ${options.duration} s per scenario and server in ${options.rounds} interleaved slices, after ${options.warmup} s warm-up; ${poolDescription()}; the project called as a signed-in admin, the raw ceiling checking the same token`;
  console.log(`\nMachine: ${machine}\nRun: ${settings}\n`);
  console.log(resultsTable(results));
  if (baseline)
    console.log(
      `\nAgainst ${options.baseline} (${baseline.commit}), same slices:\n\n${baselineTable(results, baseline.commit)}`,
    );
  const observed = sink
    ? `; metrics off; tracing on with every request / 10% sampled (OTLP http/json to a local sink, ${(sink.bytes() / 1024 / 1024).toFixed(0)} MB received)`
    : "";
  console.log(
    `\nVariants: the project as started by default (${availableParallelism()} workers, metrics on, tracing off) against one worker${observed}; same slices. The raw ceiling is one process:\n\n${observabilityTable(
      variantRows,
      variants.map((variant) => variant.label),
    )}`,
  );
  console.log(
    `\n${targetsTable(evaluateTargets(results, databases.emptyStartMs, options.database), options.database)}`,
  );
  if (fanOut) printFanOut(fanOut);
}

async function runFanOutOnly(): Promise<void> {
  log(
    `seeding ${options.users} users with ${options.itemsPerUser} items each into ${databaseNames[options.database]}`,
  );
  await using databases = await prepareDatabases(
    options.database,
    { users: options.users, itemsPerUser: options.itemsPerUser },
    options.pool,
  );
  const machine = describeMachine(databases.version);
  const fanOut = await runFanOut(databases.projectUrl);
  console.log(`\nMachine: ${machine}`);
  printFanOut(fanOut);
}

/** On a project server of its own, started for it: its RSS is the fan-out's, not the load's before. */
async function runFanOut(databaseUrl: string): Promise<FanOutResult> {
  const server = await startProjectServer(databaseUrl, { admin: true, poolMax: options.pool });
  try {
    const fanOut = {
      subscribers: options.subscribers,
      rate: options.changeRate,
      seconds: options.fanOutSeconds,
    };
    return await measureFanOut(server, await adminAuthorization(server.url), fanOut, log);
  } finally {
    await server.stop();
  }
}

function poolDescription(): string {
  return options.database === "sqlite"
    ? "one SQLite connection per server"
    : `${options.pool} database connections per server (the project's DATABASE_POOL_MAX, the raw ceiling's pool)`;
}

function printFanOut(result: FanOutResult): void {
  console.log(
    `\nFan-out: ${result.subscribers} subscriptions to changes.onChange (raw SSE, one keep-alive socket and API token each, as the admin) on a fresh project server; ${result.rate} users.create/s for ${result.seconds} s from one more connection, after 5 warm-up changes\n`,
  );
  console.log(fanOutTable(result));
}
