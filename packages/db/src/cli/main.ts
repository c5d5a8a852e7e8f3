// MikroORM's own CLI (`mikro-orm`) for this project: `npm run db -- <command>`, which passes
// `--config apps/server/mikro-orm.config.ts` (the server's DATABASE_URL and settings). Around
// MikroORM's entry (`@mikro-orm/cli/cli.js`) it only:
// - keeps a relative SQLite DATABASE_URL and `--config` relative to where the command was run,
//   as `npm start` reads them, then works from packages/db, whose package.json declares the CLI
//   (MikroORM refuses to run elsewhere);
// - lets Node load the TypeScript config and entities itself (Node 24 strips types), instead of
//   MikroORM looking for a TypeScript loader package (ts-node, tsx, swc…) none of which is needed;
// - tells a failure in one line (the message, no usage text, no stack) and exits 1;
// - turns on Node's compile cache first, as the server's entry does: loading and compiling the
//   modules is most of a command's time, and the cache halves it after the first run.
import { enableCompileCache } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

enableCompileCache();
const { configure } = await import("@mikro-orm/cli");
const { parseDatabaseUrl } = await import("../database-url.ts");

/** The part of MikroORM's yargs parser used here (yargs ships without types). */
type Cli = {
  showHelpOnFail(enable: boolean): Cli;
  fail(handler: (message: string | undefined, error: Error | undefined, cli: Cli) => void): Cli;
  showHelp(): void;
  parse(args: string[]): Promise<{ _: unknown[] }>;
};

const url = process.env.DATABASE_URL?.trim();
if (url?.startsWith("sqlite:")) {
  // A URL it cannot read is left as it is: the configuration reports it, in its own words.
  const target = tryParse(url);
  if (target?.dialect === "sqlite" && target.path !== ":memory:")
    process.env.DATABASE_URL = `sqlite:${target.path}`;
}
const args = process.argv.slice(2).map((arg, i, all) => {
  if (all[i - 1] === "--config") return resolve(arg);
  return arg.startsWith("--config=") ? `--config=${resolve(arg.slice("--config=".length))}` : arg;
});
process.chdir(fileURLToPath(new URL("../..", import.meta.url)));
process.env.MIKRO_ORM_CLI_PREFER_TS ??= "0";

const cli: Cli = await configure();
cli.showHelpOnFail(false).fail((message, error, parser) => {
  if (error) {
    process.stderr.write(`${error.message}\n`);
    if (process.env.MIKRO_ORM_CLI_VERBOSE) process.stderr.write(`${error.stack ?? ""}\n`);
  } else {
    parser.showHelp();
    process.stderr.write(`\n${message ?? "unknown command"}\n`);
  }
  process.exit(1);
});
const parsed = await cli.parse(args);
if (parsed._.length === 0) cli.showHelp();

function tryParse(databaseUrl: string): ReturnType<typeof parseDatabaseUrl> | undefined {
  try {
    return parseDatabaseUrl(databaseUrl);
  } catch {
    return undefined;
  }
}
