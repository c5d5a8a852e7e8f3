// `npm run seed [-- --seed N] [--users N] [--force]` (see main.ts): demo data in the database
// DATABASE_URL names (the server's default SQLite file when unset), pending migrations applied
// first. README, "Demo data". Exit codes: 0 seeded, 1 refused (accounts exist, no --force) or
// failed, 2 bad arguments, 128 + the signal's number when interrupted (130 for Ctrl-C).
import { constants } from "node:os";
import { parseArgs } from "node:util";
import { assertPasswordHashing } from "@app/api";
import { createOrm, migrateToLatest, redact } from "@app/db";
import { ConfigError, loadConfig } from "../config.ts";
import { databaseOptions } from "../database-options.ts";
import { DatabaseNotEmptyError, type SeedOptions, type SeedResult, seedDatabase } from "./seed.ts";

const usage = `usage: npm run seed -- [--seed N] [--users N] [--force]
  --seed N    which demo data (the same N gives the same people and items); default 1
  --users N   how many demo users, each with 1 to 5 items; default 300
  --force     add to a database that already has accounts (taken emails get a number)`;

type Arguments = Omit<SeedOptions, "onProgress">;

/** The options, or the message for arguments that make no sense. */
function parseArguments(args: string[]): Arguments | string {
  try {
    const { values } = parseArgs({
      args,
      options: {
        seed: { type: "string", default: "1" },
        users: { type: "string", default: "300" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.help) return usage;
    const seed = Number(values.seed);
    const users = Number(values.users);
    if (!Number.isSafeInteger(seed)) return `--seed must be an integer, not "${values.seed}"`;
    if (!Number.isSafeInteger(users) || users < 1 || users > 100_000) {
      return `--users must be a whole number from 1 to 100000, not "${values.users}"`;
    }
    return { seed, users, force: values.force };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Demo users committed so far, for the message of an interrupted run. */
let written = 0;

function printProgress(done: { users: number; items: number }, total: number): void {
  written = done.users;
  const line = `seeding: ${done.users}/${total} users, ${done.items} items`;
  // On a terminal, one line rewritten in place; in a log, a line per batch.
  process.stderr.write(process.stderr.isTTY ? `\r${line}${done.users === total ? "\n" : ""}` : `${line}\n`);
}

function printSummary(url: string, seed: number, result: SeedResult, ms: number): void {
  const accounts = [
    ["admin", result.admin],
    ["user", result.member],
  ] as const;
  const width = Math.max(...accounts.map(([, account]) => account.email.length));
  process.stdout.write(
    [
      `Seeded ${redact(url)} in ${(ms / 1000).toFixed(1)} s: ${result.users} users (${result.users - 1} demo users and an admin) with ${result.items} items (seed ${seed}).`,
      "Sign in as:",
      ...accounts.map(
        ([role, { email, password }]) => `  ${role.padEnd(6)} ${email.padEnd(width)}  password: ${password}`,
      ),
      "These passwords are shown only now: the database keeps their argon2id hashes. The other demo",
      "users have no password (an admin can give them one).",
      "",
    ].join("\n"),
  );
}

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (typeof parsed === "string") {
    const asked = parsed === usage;
    (asked ? process.stdout : process.stderr).write(`${parsed}${asked ? "" : `\n${usage}`}\n`);
    return asked ? 0 : 2;
  }
  assertPasswordHashing();
  const config = loadConfig();
  // Ctrl-C: the batch being written rolls back with the process; say what stays, and fail, so
  // that `npm run seed && npm start` stops there.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${interruptedMessage(parsed.users)}\n`);
      process.exit(128 + constants.signals[signal]);
    });
  }
  const started = performance.now();
  const orm = await createOrm(databaseOptions(config));
  try {
    const applied = await migrateToLatest(orm);
    if (applied.length > 0) process.stderr.write(`applied ${applied.length} pending migration(s)\n`);
    const result = await seedDatabase(orm, { ...parsed, onProgress: printProgress });
    printSummary(config.DATABASE_URL, parsed.seed, result, performance.now() - started);
    return 0;
  } catch (error) {
    if (!(error instanceof DatabaseNotEmptyError)) throw error;
    process.stderr.write(
      `Not seeding ${redact(config.DATABASE_URL)}: ${error.message}. Demo data goes into an empty database; run \`npm run seed -- --force\` to add it to this one.\n`,
    );
    return 1;
  } finally {
    await orm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `seeding failed: ${describe(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);

function interruptedMessage(total: number): string {
  const again = "start again on an empty database, or add to this one with `npm run seed -- --force`";
  if (written === 0) {
    return `Interrupted before any demo user was written (the database may hold the admin account, whose password was not shown): ${again}.`;
  }
  return `Interrupted: ${written} of ${total} demo users are in the database (whole batches of 25, with their items), and an admin whose password was not shown: ${again}.`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
