import { Migrator } from "@mikro-orm/migrations";
import { MikroORM, type Options } from "@mikro-orm/sql";
import { connectionDefaults } from "./connection-defaults.ts";
import { type DatabaseTarget, type Dialect, parseDatabaseUrl } from "./database-url.ts";
import { statementSpanHook, withStatementSpans } from "./dialects/statement-spans.ts";
import type { ConnectionOptions, DialectOptions } from "./dialects/types.ts";
import { entities } from "./entities/index.ts";
import { migrationsFor } from "./migrations/index.ts";
import { watchPool } from "./pool-stats.ts";

export type CreateOrmOptions = Partial<ConnectionOptions> & {
  /** `sqlite:./relative.db`, `sqlite:/absolute.db`, `sqlite::memory:`, `postgres://…/db` or `mysql://…/db`. */
  url: string;
  /** Folder that relative SQLite paths are resolved against (default: the working directory). */
  baseDir?: string;
  /** SQLite `synchronous`: NORMAL survives a process crash, FULL also a power loss (slower commits). */
  sqliteSynchronous?: "NORMAL" | "FULL";
  /** SQLite: how long a write waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
  /**
   * Called with every SQL statement (tests count queries with it). On SQLite it sees every
   * statement run on the connection, transaction control included; elsewhere only those the ORM
   * itself runs, not reads through Kysely.
   */
  onQuery?: (sql: string) => void;
};

export type Orm = MikroORM & { dialect: Dialect };

// The dialect of each ORM's platform (forks share it), for the few statements that differ.
const dialects = new WeakMap<object, Dialect>();

/** Which database `em` talks to. */
export function dialectOf(em: { getPlatform(): object }): Dialect | undefined {
  return dialects.get(em.getPlatform());
}

export { connectionDefaults };

/**
 * Connects to the database named by `url`; the scheme picks the driver, which is only loaded then.
 * A SQLite file and its folder are created when missing, and so is a PostgreSQL or MariaDB
 * database (MikroORM's ensureDatabase). Call `migrateToLatest(orm)` before serving.
 */
export async function createOrm(options: CreateOrmOptions): Promise<Orm> {
  try {
    return await connectOrm(options);
  } catch (error) {
    // Servers starting together on a database that does not exist yet (a cluster's workers, or
    // several machines) each find it missing and create it: all but the first fail. It exists
    // now, so connecting again finds it.
    if (!isDatabaseCreatedMeanwhile(error)) throw error;
    return await connectOrm(options);
  }
}

/**
 * The error of a `create database` that lost the race to another one: PostgreSQL's unique
 * violation on its catalogue (or 42P04 when the other had committed), MariaDB's 1007.
 */
function isDatabaseCreatedMeanwhile(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = Reflect.get(error, "code");
  const constraint = Reflect.get(error, "constraint");
  return (
    (code === "23505" && constraint === "pg_database_datname_index") ||
    code === "42P04" ||
    Reflect.get(error, "errno") === 1007
  );
}

async function connectOrm(options: CreateOrmOptions): Promise<Orm> {
  const target = parseDatabaseUrl(options.url, options.baseDir);
  // The constructor rather than MikroORM.init: init first looks for MikroORM's optional packages
  // (the seeder, the entity generator, a glob library) for what it might be given as paths, a few
  // ms of every start; the entities and the Migrator are given here, and discovering classes
  // needs nothing asynchronous.
  const orm = new MikroORM(await ormOptions(options));
  if (target.dialect === "mariadb") {
    const { guardMariaDbPool } = await import("./dialects/mariadb.ts");
    try {
      guardMariaDbPool(await orm.driver.getConnection().getNativeClient(), connectionOf(options));
    } catch (error) {
      await orm.close(true);
      throw error;
    }
  }
  try {
    // Found now, so that /metrics reads the pool's counts synchronously (pool-stats.ts).
    await watchPool(orm, target.dialect);
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  dialects.set(orm.em.getPlatform(), target.dialect);
  return Object.assign(orm, { dialect: target.dialect });
}

/**
 * What createOrm hands MikroORM: the driver and its settings for the URL's dialect, the entities,
 * and that dialect's migrations. MikroORM's CLI builds its configuration from the same
 * (cli/options.ts), so both see one schema and record migrations under the same names.
 */
export async function ormOptions(options: CreateOrmOptions): Promise<Options> {
  const target = parseDatabaseUrl(options.url, options.baseDir);
  const onQuery = options.onQuery;
  return {
    ...(await dialectOptions(target, options)),
    entities: [...entities],
    extensions: [Migrator],
    migrations: { migrationsList: migrationsFor(target.dialect), snapshot: false, silent: true },
    ...(onQuery &&
      target.dialect !== "sqlite" && {
        onQuery: (sql: string) => {
          onQuery(sql);
          return sql;
        },
      }),
  };
}

function connectionOf(options: CreateOrmOptions): ConnectionOptions {
  return {
    poolMax: options.poolMax ?? connectionDefaults.poolMax,
    connectTimeoutMs: options.connectTimeoutMs ?? connectionDefaults.connectTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? connectionDefaults.statementTimeoutMs,
  };
}

async function dialectOptions(target: DatabaseTarget, options: CreateOrmOptions): Promise<DialectOptions> {
  const connection = connectionOf(options);
  switch (target.dialect) {
    case "sqlite": {
      const { sqliteOptions } = await import("./dialects/sqlite.ts");
      return sqliteOptions({
        path: target.path,
        synchronous: options.sqliteSynchronous ?? "NORMAL",
        busyTimeoutMs: options.busyTimeoutMs ?? 5_000,
        onStatement: options.onQuery,
        // Every statement a span while a traced request runs (dialects/statement-spans.ts).
        onCreateConnection: statementSpanHook(target),
      });
    }
    case "postgresql": {
      const { postgresqlOptions } = await import("./dialects/postgresql.ts");
      return withStatementSpans(postgresqlOptions(target.url, connection), target);
    }
    case "mariadb": {
      const { mariadbOptions } = await import("./dialects/mariadb.ts");
      return withStatementSpans(mariadbOptions(target.url, connection), target);
    }
  }
}
