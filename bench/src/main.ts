// `pnpm bench`: the project server against the raw ceiling, scenario by scenario; prints figures,
// never fails on speed. See docs/performance.md.
import { parseBenchArgs } from "./args.ts";
import { prepareDatabases } from "./database.ts";
import { measureInRounds } from "./load.ts";
import { checkParity } from "./parity.ts";
import { describeMachine, resultsTable, targetsTable } from "./report.ts";
import { runScale } from "./scale.ts";
import { buildScenarios } from "./scenarios.ts";
import { buildProjectServer, startProjectServer, startRawServer } from "./servers.ts";
import { evaluateTargets, type ScenarioResult } from "./targets.ts";

const options = parseBenchArgs(process.argv.slice(2));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

log("building the server as `npm start` does");
buildProjectServer();
if (options.scale) await runScale(options, log);
else await runMain();

async function runMain(): Promise<void> {
  const machine = describeMachine();
  log(`seeding ${options.users} users with ${options.itemsPerUser} items each`);
  using databases = await prepareDatabases({ users: options.users, itemsPerUser: options.itemsPerUser });
  const project = await startProjectServer(databases.projectPath);
  const raw = await startRawServer(databases.rawPath);
  const results: ScenarioResult[] = [];
  const scenarios = buildScenarios({ users: options.users });
  try {
    const mismatches = await checkParity(scenarios, { project: project.url, raw: raw.url });
    for (const mismatch of mismatches) log(`raw ceiling answers differently: ${mismatch}`);
    if (mismatches.length === 0) log("raw ceiling answers as the project does");
    // Reads first, then creates, so the reads see the seeded rows; within each group every
    // scenario runs on both servers in interleaved slices (load.ts).
    for (const group of [scenarios.filter((s) => !s.writes), scenarios.filter((s) => s.writes)]) {
      log(`measuring ${group.map((scenario) => scenario.name).join(", ")}: project and raw in turn`);
      const measured = await measureInRounds(group, [project, raw], options, log);
      group.forEach((scenario, i) => {
        const [projectResult, rawResult] = measured[i] ?? [];
        if (projectResult && rawResult) results.push({ ...scenario, project: projectResult, raw: rawResult });
      });
    }
  } finally {
    await Promise.all([project.stop(), raw.stop()]);
  }
  const settings = `${options.users} users x ${options.itemsPerUser} items, ${options.connections} connections, ${options.duration} s per scenario and server in ${options.rounds} interleaved slices, after ${options.warmup} s warm-up`;
  console.log(`\nMachine: ${machine}\nRun: ${settings}\n`);
  console.log(resultsTable(results));
  console.log(`\n${targetsTable(evaluateTargets(results, databases.emptyStartMs))}`);
}
