import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SeedOptions, seedDatabase } from "./seed.ts";
import { startProjectServer } from "./servers.ts";

export type BenchDatabases = {
  /** A scratch folder removed with the databases. */
  dir: string;
  projectPath: string;
  rawPath: string;
  /** With a baseline build: its own file, migrated by it, with the same rows. */
  baselinePath: string | undefined;
  /** The project server's start to first 200 on the empty file (migrations included). */
  emptyStartMs: number;
  [Symbol.dispose](): void;
};

/**
 * One seeded SQLite file per server, with identical rows. The project server creates the schema
 * (its migrations run at start, which is also the "start on an empty database" measurement), then
 * the rows go in through raw statements and the file is copied for the raw ceiling.
 */
export async function prepareDatabases(seed: SeedOptions, baselineEntry?: string): Promise<BenchDatabases> {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const projectPath = join(dir, "project.db");
  const rawPath = join(dir, "raw.db");
  const migrating = await startProjectServer(projectPath);
  await migrating.stop();
  seedDatabase(projectPath, seed);
  copyFileSync(projectPath, rawPath);
  let baselinePath: string | undefined;
  if (baselineEntry) {
    // Its own migrations, which may differ from this commit's.
    baselinePath = join(dir, "baseline.db");
    await (await startProjectServer(baselinePath, { entry: baselineEntry, target: "baseline" })).stop();
    seedDatabase(baselinePath, seed);
  }
  return {
    dir,
    projectPath,
    rawPath,
    baselinePath,
    emptyStartMs: migrating.startMs,
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
