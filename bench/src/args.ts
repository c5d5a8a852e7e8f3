import { parseArgs } from "node:util";

/** The database every server of a run uses (`--database`). */
export type DatabaseKind = "sqlite" | "postgres" | "mariadb";

export const databaseNames: Record<DatabaseKind, string> = {
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  mariadb: "MariaDB",
};

export type BenchOptions = {
  database: DatabaseKind;
  /** DATABASE_POOL_MAX of the project, and the raw ceiling's pool (PostgreSQL, MariaDB). */
  pool: number;
  users: number;
  itemsPerUser: number;
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  scale: boolean;
  scaleUsers: number;
  scaleExport: boolean;
  /** A git ref to measure against in the same run, besides the raw ceiling. */
  baseline: string | undefined;
  /** Only the fan-out scenario. */
  fanOut: boolean;
  /** Also the project with metrics off and with tracing on (observability.ts). */
  observability: boolean;
  /** Subscriptions in the fan-out scenario; 0 leaves it out of the default run. */
  subscribers: number;
  /** Changes committed a second during the fan-out. */
  changeRate: number;
  /** Seconds of changes measured in the fan-out. */
  fanOutSeconds: number;
};

const usage = `pnpm bench [--database sqlite|postgres|mariadb] [--users N] [--duration S] [--connections C]
           [--subscribers N] [--fanout] [--scale [--scale-users N] [--export]]

  --database D      sqlite (default), postgres or mariadb: every server of the run on a scratch
                    database of that kind, created and dropped by the bench (PostgreSQL at
                    BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres;
                    MariaDB at BENCH_MARIADB_URL, default mysql://root@127.0.0.1:3306/mysql)
  --pool N          database connections per server, the project's DATABASE_POOL_MAX and the raw
                    ceiling's pool alike (PostgreSQL, MariaDB; default 10, the project's default)
  --users N         users seeded, each with 5 items (default 2000)
  --duration S      seconds measured per scenario and server (default 8)
  --warmup S        unmeasured seconds before each measurement (default 1)
  --connections C   concurrent HTTP connections (default 10)
  --rounds R        slices each scenario's seconds are measured in, interleaved (default 4)
  --baseline REF    also measure another commit of this project (a git ref), in the same slices
  --subscribers N   SSE subscriptions to changes.onChange in the fan-out, after the
                    scenarios above (default 1000; 0 leaves the fan-out out)
  --change-rate R   users.create a second during the fan-out (default 20)
  --fanout-duration S  seconds of changes measured in the fan-out (default 5)
  --fanout          only the fan-out
  --observability   also measure the project with metrics off, and with tracing on (all
                    and 10% of requests sampled, exported to a local OTLP sink)
  --scale           instead: first vs deep users.list page over a 1,000,000-user table
  --scale-users N   users in the --scale table (default 1000000)
  --export          with --scale: also export the whole table with the CLI, sampling memory`;

/** Reads the command line; prints the usage and exits on --help or a bad value. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: "string", default: "sqlite" },
      pool: { type: "string", default: "10" },
      users: { type: "string", default: "2000" },
      duration: { type: "string", default: "8" },
      warmup: { type: "string", default: "1" },
      connections: { type: "string", default: "10" },
      rounds: { type: "string", default: "4" },
      scale: { type: "boolean", default: false },
      "scale-users": { type: "string", default: "1000000" },
      export: { type: "boolean", default: false },
      baseline: { type: "string" },
      fanout: { type: "boolean", default: false },
      observability: { type: "boolean", default: false },
      subscribers: { type: "string", default: "1000" },
      "change-rate": { type: "string", default: "20" },
      "fanout-duration": { type: "string", default: "5" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) exitWithUsage(0);
  if (values.fanout && Number(values.subscribers) === 0) exitWithUsage(2, "--fanout needs subscribers");
  return {
    database: databaseKind(values.database),
    pool: positiveInteger("--pool", values.pool),
    users: positiveInteger("--users", values.users),
    itemsPerUser: 5,
    duration: positive("--duration", values.duration),
    warmup: nonNegative("--warmup", values.warmup),
    connections: positive("--connections", values.connections),
    rounds: positiveInteger("--rounds", values.rounds),
    scale: values.scale,
    scaleUsers: positiveInteger("--scale-users", values["scale-users"]),
    scaleExport: values.export,
    baseline: values.baseline,
    fanOut: values.fanout,
    observability: values.observability,
    subscribers: nonNegativeInteger("--subscribers", values.subscribers),
    changeRate: positive("--change-rate", values["change-rate"]),
    fanOutSeconds: positive("--fanout-duration", values["fanout-duration"]),
  };
}

function databaseKind(raw: string): DatabaseKind {
  const aliases: Record<string, DatabaseKind> = {
    sqlite: "sqlite",
    postgres: "postgres",
    postgresql: "postgres",
    mariadb: "mariadb",
    mysql: "mariadb",
  };
  const kind = aliases[raw.toLowerCase()];
  if (!kind) exitWithUsage(2, "--database must be sqlite, postgres or mariadb");
  return kind;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) exitWithUsage(2, `${name} must be a positive number`);
  return value;
}

function positiveInteger(name: string, raw: string): number {
  const value = positive(name, raw);
  if (!Number.isInteger(value)) exitWithUsage(2, `${name} must be a whole number`);
  return value;
}

function nonNegative(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) exitWithUsage(2, `${name} must be zero or more`);
  return value;
}

function nonNegativeInteger(name: string, raw: string): number {
  const value = nonNegative(name, raw);
  if (!Number.isInteger(value)) exitWithUsage(2, `${name} must be a whole number`);
  return value;
}

function exitWithUsage(code: number, message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  (code === 0 ? process.stdout : process.stderr).write(`${usage}\n`);
  process.exit(code);
}
