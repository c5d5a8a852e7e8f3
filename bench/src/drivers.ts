import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// `pg` and `mysql2` are the project's drivers, installed for @app/db (`pg` directly; `mysql2`
// through @mikro-orm/mariadb, whose @mikro-orm/mysql depends on it), not as dependencies of the
// bench: pnpm resolves them only from inside those packages, so they are loaded from there. The
// bench then drives the very versions the project runs. Only what the bench calls is typed below.

const dbPackage = fileURLToPath(new URL("../../packages/db/", import.meta.url));

/** A `pg` query: `name` makes it a named prepared statement, parsed once per connection. */
export type PgQuery = { name?: string; text: string; values?: unknown[] };
export type PgResult<Row> = { rows: Row[]; rowCount: number | null };
export type PgQueryable = {
  query<Row>(query: PgQuery | string): Promise<PgResult<Row>>;
};
export type PgPoolClient = PgQueryable & { release(error?: Error): void };
export type PgPool = PgQueryable & { connect(): Promise<PgPoolClient>; end(): Promise<void> };
export type PgClient = PgQueryable & { connect(): Promise<void>; end(): Promise<void> };
type PgTypeParser = (text: string) => unknown;
type PgConfig = {
  connectionString: string;
  /** Startup options, e.g. `-c TimeZone=UTC`. */
  options?: string;
  max?: number;
  application_name?: string;
  types?: { getTypeParser(oid: number, format?: string): PgTypeParser };
};
type PgModule = {
  Pool: new (config: PgConfig) => PgPool;
  Client: new (config: PgConfig) => PgClient;
  types: { getTypeParser(oid: number, format?: string): PgTypeParser };
};

export type MysqlResultHeader = { insertId: number; affectedRows: number };
export type MysqlQueryable = {
  /** A prepared statement (binary protocol), prepared once per connection and cached. */
  execute<Rows>(sql: string, values?: unknown[]): Promise<[Rows, unknown]>;
  /** A text-protocol query. */
  query<Rows>(sql: string, values?: unknown[]): Promise<[Rows, unknown]>;
};
export type MysqlPoolConnection = MysqlQueryable & {
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  release(): void;
};
export type MysqlPool = MysqlQueryable & {
  getConnection(): Promise<MysqlPoolConnection>;
  end(): Promise<void>;
};
export type MysqlConnection = MysqlQueryable & { end(): Promise<void> };
type MysqlConfig = {
  uri: string;
  connectionLimit?: number;
  /** DATETIME as the text MariaDB sends, not a Date built from it. */
  dateStrings?: boolean;
  timezone?: string;
  multipleStatements?: boolean;
};
type MysqlModule = {
  createPool(config: MysqlConfig): MysqlPool;
  createConnection(config: MysqlConfig): Promise<MysqlConnection>;
};

let pg: PgModule | undefined;
let mysql: MysqlModule | undefined;

/** `pg`, as @app/db resolves it. */
export function loadPg(): PgModule {
  pg ??= createRequire(`${dbPackage}package.json`)("pg") as PgModule;
  return pg;
}

/** `mysql2/promise`, as @mikro-orm/mysql (under @mikro-orm/mariadb, under @app/db) resolves it. */
export function loadMysql(): MysqlModule {
  if (!mysql) {
    const mariadb = realpathSync(`${dbPackage}node_modules/@mikro-orm/mariadb`);
    const mikroMysql = realpathSync(`${mariadb}/../mysql`);
    mysql = createRequire(`${mikroMysql}/package.json`)("mysql2/promise") as MysqlModule;
  }
  return mysql;
}
