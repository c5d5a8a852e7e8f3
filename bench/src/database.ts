import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { DatabaseKind } from "./args.ts";
import { createScratchDatabase, type ScratchDatabase, serverVersion } from "./scratch-database.ts";
import { type SeedOptions, seedDatabase } from "./seed.ts";
import { startProjectServer } from "./servers.ts";

export type BenchDatabases = {
  kind: DatabaseKind;
  /** A scratch folder removed with the databases (SQLite files, exports). */
  dir: string;
  /** The project server's DATABASE_URL (its variants' too). */
  projectUrl: string;
  /** With a baseline build: its own database, migrated by it, with the same rows. */
  baselineUrl: string | undefined;
  /** The project server's start to first 200 on the empty database (migrations included). */
  emptyStartMs: number;
  /** The database and its version, for the machine line. */
  version: string;
  /**
   * The raw ceiling's DATABASE_URL. Call it once the project's admin has signed in: the ceiling
   * checks that session's token in its own database. SQLite: a copy of the project's file made
   * now. PostgreSQL and MariaDB: the project's own database.
   */
  rawUrl(): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * The databases of a run, with identical rows. The project server creates the schema (its
 * migrations run at start, which is also the "start on an empty database" measurement), then the
 * rows go straight into the tables (seed.ts).
 *
 * SQLite: the raw ceiling reads a copy of the project's file, each server its own file as each
 * would have. PostgreSQL and MariaDB: both servers use the same database, one after the other:
 * the same rows in the same pages, the same buffer pool and the same change head, and nothing that
 * a copy could make differ (the statistics, a cold cache, a bloated table). Neither server runs
 * while the other is measured, so they never wait for each other; both add the same rows.
 */
export async function prepareDatabases(
  kind: DatabaseKind,
  seed: SeedOptions,
  poolMax: number,
  baselineEntry?: string,
): Promise<BenchDatabases> {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const scratch: ScratchDatabase[] = [];
  const dispose = async () => {
    await Promise.all(scratch.map((database) => database.drop()));
    rmSync(dir, { recursive: true, force: true });
  };
  // An interrupted run drops its databases too (Ctrl-C reaches the servers as well).
  const interrupted = () => void dispose().finally(() => process.exit(130));
  process.once("SIGINT", interrupted);
  try {
    const newDatabase = async (label: string) => {
      if (kind === "sqlite") return `sqlite:${join(dir, `${label}.db`)}`;
      const database = await createScratchDatabase(kind, label);
      scratch.push(database);
      return database.url;
    };
    const projectUrl = await newDatabase("project");
    const migrating = await startProjectServer(projectUrl, { poolMax });
    await migrating.stop();
    await seedDatabase(kind, projectUrl, seed);
    let baselineUrl: string | undefined;
    if (baselineEntry) {
      // Its own migrations, which may differ from this commit's.
      baselineUrl = await newDatabase("baseline");
      await (
        await startProjectServer(baselineUrl, { entry: baselineEntry, target: "baseline", poolMax })
      ).stop();
      await seedDatabase(kind, baselineUrl, seed);
    }
    return {
      kind,
      dir,
      projectUrl,
      baselineUrl,
      emptyStartMs: migrating.startMs,
      version: kind === "sqlite" ? sqliteVersion() : await serverVersion(kind),
      async rawUrl() {
        if (kind !== "sqlite") return projectUrl;
        const rawUrl = `sqlite:${join(dir, "raw.db")}`;
        await copySqlite(projectUrl, rawUrl);
        return rawUrl;
      },
      [Symbol.asyncDispose]: async () => {
        process.removeListener("SIGINT", interrupted);
        await dispose();
      },
    };
  } catch (error) {
    process.removeListener("SIGINT", interrupted);
    await dispose();
    throw error;
  }
}

/**
 * Copies a SQLite database page by page (SQLite's online backup) while the project server has it
 * open: the copy is consistent and holds what the WAL holds, the admin's session included.
 */
async function copySqlite(fromUrl: string, toUrl: string): Promise<void> {
  const db = new Database(fromUrl.replace(/^sqlite:/, ""), { readonly: true });
  try {
    await db.backup(toUrl.replace(/^sqlite:/, ""));
  } finally {
    db.close();
  }
}

function sqliteVersion(): string {
  const db = new Database(":memory:");
  try {
    return `SQLite ${String(db.prepare("select sqlite_version()").pluck().get())} (better-sqlite3)`;
  } finally {
    db.close();
  }
}
