// `pnpm bench`: the project server against the raw ceiling, scenario by scenario; prints figures,
// never fails on speed. See docs/performance.md.
import { parseBenchArgs } from "./args.ts";
import { prepareDatabases } from "./database.ts";
import { runLoad } from "./load.ts";
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
    for (const scenario of scenarios) {
      // Project then raw, scenario by scenario: a machine that gets busier mid-run skews both alike.
      log(`${scenario.name}: project`);
      const projectResult = await runLoad(scenario, { ...options, url: project.url, pid: project.pid });
      log(`${scenario.name}: raw`);
      const rawResult = await runLoad(scenario, { ...options, url: raw.url, pid: raw.pid });
      results.push({ ...scenario, project: projectResult, raw: rawResult });
    }
  } finally {
    await Promise.all([project.stop(), raw.stop()]);
  }
  const settings = `${options.users} users x ${options.itemsPerUser} items, ${options.connections} connections, ${options.duration} s per run after ${options.warmup} s warm-up`;
  console.log(`\nMachine: ${machine}\nRun: ${settings}\n`);
  console.log(resultsTable(results));
  console.log(`\n${targetsTable(evaluateTargets(results, databases.emptyStartMs))}`);
}
