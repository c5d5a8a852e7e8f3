import { type BenchOptions, databaseNames } from "./args.ts";
import { prepareDatabases } from "./database.ts";
import { describeSamples, type ExportMemory, isFlat, measureExport } from "./export-memory.ts";
import { formatMs, formatRate, formatRatio, markdownTable } from "./format.ts";
import { type LoadResult, measureInRounds } from "./load.ts";
import { describeMachine } from "./report.ts";
import type { Scenario } from "./scenarios.ts";
import { adminAuthorization, startProjectServer } from "./servers.ts";

const pageOf =
  (cursor: () => number | null, authorization: string): Scenario["request"] =>
  () => ({
    method: "GET",
    path: `/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ limit: 20, cursor: cursor(), withItems: true }))}`,
    headers: { authorization },
  });

/**
 * Keyset pagination's promise: a page deep in a million-user table costs what the first page
 * costs. Seeds users only (no items: five million rows would add minutes and nothing to the
 * question), then compares the first page with random pages in the last 10% of the table.
 */
export async function runScale(options: BenchOptions, log: (message: string) => void): Promise<void> {
  const users = options.scaleUsers;
  log(`seeding ${users} users into ${databaseNames[options.database]}`);
  const seedStart = performance.now();
  await using databases = await prepareDatabases(options.database, { users, itemsPerUser: 0 }, options.pool);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`migrated and seeded in ${seedSeconds.toFixed(1)} s`);
  const machine = describeMachine(databases.version);
  const deepFrom = Math.floor(users * 0.9);
  const server = await startProjectServer(databases.projectUrl, { admin: true, poolMax: options.pool });
  const authorization = await adminAuthorization(server.url);
  const scenarios: Scenario[] = [
    { name: "users.list first page", callsPerRequest: 1, request: pageOf(() => null, authorization) },
    {
      name: `users.list deep page (cursor > ${deepFrom})`,
      callsPerRequest: 1,
      request: pageOf(() => deepFrom + Math.floor(Math.random() * (users - deepFrom - 20)), authorization),
    },
  ];
  const results: LoadResult[] = [];
  let exported: ExportMemory | undefined;
  try {
    log(`${scenarios.map((scenario) => scenario.name).join(" and ")}, in turn`);
    for (const [result] of await measureInRounds(scenarios, [server], options, log))
      if (result) results.push(result);
    if (options.scaleExport) {
      log("exporting every user with the CLI");
      const token = authorization.slice("Bearer ".length);
      exported = await measureExport({ url: server.url, serverPid: server.pid, dir: databases.dir, token });
    }
  } finally {
    await server.stop();
  }
  const [first, deep] = results;
  if (!first || !deep) return;
  const cost = first.requestsPerSecond / Math.max(deep.requestsPerSecond, 1);
  const rows = scenarios.map((scenario, i) => {
    const result = results[i] ?? first;
    return [
      scenario.name,
      formatRate(result.requestsPerSecond),
      formatMs(result.p50Ms),
      formatMs(result.p99Ms),
      String(result.errors),
    ];
  });
  console.log(
    `\nMachine: ${machine}\nRun: ${databaseNames[options.database]}, ${users} users (migrated and seeded in ${seedSeconds.toFixed(1)} s), ${options.connections} connections, ${options.duration} s per run\n`,
  );
  console.log(markdownTable(["scenario", "req/s", "p50 ms", "p99 ms", "errors"], rows));
  const verdict = cost <= 1.2 ? "PASS" : "MISS";
  console.log(`\ndeep page cost / first page cost: ${formatRatio(cost)} (goal <= 1.20x): ${verdict}`);
  if (exported) printExport(exported);
}

function printExport(exported: ExportMemory): void {
  const flat = isFlat(exported.cli) && isFlat(exported.server);
  const size = (exported.bytesWritten / 1024 / 1024).toFixed(0);
  console.log(
    `\nexport: ${size} MB of JSON lines in ${exported.seconds.toFixed(0)} s, RSS sampled each second`,
  );
  console.log(`  cli:    ${describeSamples(exported.cli)}`);
  console.log(`  server: ${describeSamples(exported.server)}`);
  console.log(`memory during export stays flat (late peak <= 1.25x early peak): ${flat ? "PASS" : "MISS"}`);
}
