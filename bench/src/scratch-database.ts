import { randomBytes } from "node:crypto";
import type { DatabaseKind } from "./args.ts";
import { loadMysql, loadPg } from "./drivers.ts";

type ServerKind = Exclude<DatabaseKind, "sqlite">;

/** Where scratch databases are created: an account allowed to create and drop databases. */
const adminUrls: Record<ServerKind, string> = {
  postgres: process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  mariadb: process.env.BENCH_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/mysql",
};

export type ScratchDatabase = {
  /** The DATABASE_URL of the new, empty database. */
  url: string;
  /** Drops it; PostgreSQL's connections to it are ended first. */
  drop(): Promise<void>;
};

/**
 * A fresh empty database on the PostgreSQL or MariaDB server, named `bench_<pid>_<random>_<label>`
 * so that one left behind by an interrupted run is recognisable (and nothing collides with the
 * tests' `scratch_…` databases).
 */
export async function createScratchDatabase(kind: ServerKind, label: string): Promise<ScratchDatabase> {
  const name = `bench_${process.pid}_${randomBytes(3).toString("hex")}_${label}`;
  await asAdmin(kind, `create database ${name}`);
  const url = new URL(adminUrls[kind]);
  url.pathname = `/${name}`;
  const force = kind === "postgres" ? " with (force)" : "";
  return { url: url.toString(), drop: () => asAdmin(kind, `drop database if exists ${name}${force}`) };
}

/** Runs SQL statements on the database at `url`, one after the other, on one connection. */
export async function runSql(kind: ServerKind, url: string, statements: readonly string[]): Promise<void> {
  if (kind === "postgres") {
    const client = new (loadPg().Client)({ connectionString: url });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  } else {
    const connection = await loadMysql().createConnection({ uri: url });
    try {
      for (const statement of statements) await connection.query(statement);
    } finally {
      await connection.end();
    }
  }
}

/** The database server's name and version, for the machine line. */
export async function serverVersion(kind: ServerKind): Promise<string> {
  if (kind === "postgres") {
    const client = new (loadPg().Client)({ connectionString: adminUrls.postgres });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>("show server_version");
      return `PostgreSQL ${rows[0]?.server_version ?? "unknown"}`;
    } finally {
      await client.end();
    }
  }
  const connection = await loadMysql().createConnection({ uri: adminUrls.mariadb });
  try {
    const [rows] = await connection.query<{ version: string }[]>("select version() as version");
    return `MariaDB ${rows[0]?.version ?? "unknown"}`;
  } finally {
    await connection.end();
  }
}

function asAdmin(kind: ServerKind, statement: string): Promise<void> {
  return runSql(kind, adminUrls[kind], [statement]);
}
