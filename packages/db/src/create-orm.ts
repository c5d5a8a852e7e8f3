import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/sql";
import { type DatabaseTarget, type Dialect, parseDatabaseUrl } from "./database-url.ts";
import type { ConnectionOptions, DialectOptions } from "./dialects/types.ts";
import { entities } from "./entities/index.ts";
import { migrationsFor } from "./migrations/index.ts";

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

export const connectionDefaults: ConnectionOptions = {
  poolMax: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
};

/**
 * Connects to the database named by `url`; the scheme picks the driver, which is only loaded then.
 * A SQLite file and its folder are created when missing. Call `migrateToLatest(orm)` before serving.
 */
export async function createOrm(options: CreateOrmOptions): Promise<Orm> {
  const target = parseDatabaseUrl(options.url, options.baseDir);
  const onQuery = options.onQuery;
  const orm = await MikroORM.init({
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
  });
  if (target.dialect === "mariadb") {
    const { guardMariaDbPool } = await import("./dialects/mariadb.ts");
    try {
      guardMariaDbPool(await orm.driver.getConnection().getNativeClient(), connectionOf(options));
    } catch (error) {
      await orm.close(true);
      throw error;
    }
  }
  dialects.set(orm.em.getPlatform(), target.dialect);
  return Object.assign(orm, { dialect: target.dialect });
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
      });
    }
    case "postgresql": {
      const { postgresqlOptions } = await import("./dialects/postgresql.ts");
      return postgresqlOptions(target.url, connection);
    }
    case "mariadb": {
      const { mariadbOptions } = await import("./dialects/mariadb.ts");
      return mariadbOptions(target.url, connection);
    }
  }
}
