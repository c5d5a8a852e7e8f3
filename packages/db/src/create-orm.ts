import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/sqlite";
import { CompiledQuery, type DatabaseConnection } from "kysely";
import { parseDatabaseUrl } from "./database-url.ts";
import { Item } from "./entities/item.ts";
import { User } from "./entities/user.ts";
import { migrations } from "./migrations/index.ts";

export type CreateOrmOptions = {
  /** `sqlite:./relative.db`, `sqlite:/absolute.db` or `sqlite::memory:`. */
  url: string;
  /** Folder that relative SQLite paths are resolved against (default: the working directory). */
  baseDir?: string;
  /** SQLite `synchronous`: NORMAL survives a process crash, FULL also a power loss (slower commits). */
  sqliteSynchronous?: "NORMAL" | "FULL";
  /** How long a write waits for another process's lock before failing, in ms. */
  busyTimeoutMs?: number;
  /** Called with every SQL statement the ORM runs (tests count queries with it). */
  onQuery?: (sql: string) => void;
};

export type Orm = MikroORM;

/**
 * Connects to the database named by `url`; a SQLite file and its folder are created when missing.
 * Call `migrateToLatest(orm)` before serving requests.
 */
export async function createOrm(options: CreateOrmOptions): Promise<Orm> {
  const target = parseDatabaseUrl(options.url, options.baseDir);
  if (target.path !== ":memory:") mkdirSync(dirname(target.path), { recursive: true });
  const pragmas = [
    // WAL lets readers proceed while one writer commits; ":memory:" has no journal file to switch.
    ...(target.path === ":memory:" ? [] : ["pragma journal_mode = wal"]),
    `pragma synchronous = ${options.sqliteSynchronous ?? "NORMAL"}`,
    `pragma busy_timeout = ${options.busyTimeoutMs ?? 5000}`,
  ];
  const onQuery = options.onQuery;
  return MikroORM.init({
    dbName: target.path,
    entities: [User, Item],
    extensions: [Migrator],
    migrations: { migrationsList: migrations, snapshot: false, silent: true },
    // MikroORM only sets foreign_keys itself; the rest is ours (see docs/decisions/002-sqlite-pragmas.md).
    onCreateConnection: async (connection) => {
      for (const pragma of pragmas) {
        await (connection as DatabaseConnection).executeQuery(CompiledQuery.raw(pragma));
      }
    },
    ...(onQuery && {
      onQuery: (sql: string) => {
        onQuery(sql);
        return sql;
      },
    }),
  });
}

/** Applies every pending migration; returns the names of those it ran. */
export async function migrateToLatest(orm: Orm): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((migration) => migration.name);
}
