import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOrm, type Orm } from "../create-orm.ts";
import type { Dialect } from "../database-url.ts";

/** Where the test database servers are; override with TEST_POSTGRES_URL / TEST_MARIADB_URL. */
export const adminUrls: Record<Exclude<Dialect, "sqlite">, string> = {
  postgresql: process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  mariadb: process.env.TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/mysql",
};

export type ScratchDatabase = {
  dialect: Dialect;
  /** A DATABASE_URL for a fresh, empty database that nothing else uses. */
  url: string;
  /** Drops the database (or deletes the SQLite folder). Close every connection to it first. */
  drop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/** Creates a fresh empty database of `dialect`, so that test runs never collide. */
export async function createScratchDatabase(dialect: Dialect): Promise<ScratchDatabase> {
  if (dialect === "sqlite") {
    const folder = mkdtempSync(join(tmpdir(), "scratch-db-"));
    const drop = async () => rmSync(folder, { recursive: true, force: true });
    return { dialect, url: `sqlite:${join(folder, "test.db")}`, drop, [Symbol.asyncDispose]: drop };
  }
  const name = `scratch_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(dialect, (admin) => admin.em.fork().execute(`create database ${name}`));
  const url = new URL(adminUrls[dialect]);
  url.pathname = `/${name}`;
  const force = dialect === "postgresql" ? " with (force)" : "";
  const drop = async () => {
    await withAdmin(dialect, (admin) => admin.em.fork().execute(`drop database if exists ${name}${force}`));
  };
  return { dialect, url: url.toString(), drop, [Symbol.asyncDispose]: drop };
}

async function withAdmin<T>(dialect: Exclude<Dialect, "sqlite">, fn: (admin: Orm) => Promise<T>): Promise<T> {
  const admin = await createOrm({ url: adminUrls[dialect], poolMax: 1, connectTimeoutMs: 2_000 });
  try {
    return await fn(admin);
  } finally {
    await admin.close(true);
  }
}

const probes = new Map<Dialect, Promise<string | undefined>>();

/** Why `dialect` cannot be tested here, or undefined when it can. Probed once per process. */
export function unavailableReason(dialect: Dialect): Promise<string | undefined> {
  if (dialect === "sqlite") return Promise.resolve(undefined);
  let probe = probes.get(dialect);
  if (!probe) {
    probe = withAdmin(dialect, (admin) => admin.em.fork().execute("select 1")).then(
      () => undefined,
      (error: unknown) => `${dialect} is not reachable at ${adminUrls[dialect]} (${String(error)})`,
    );
    probes.set(dialect, probe);
  }
  return probe;
}
