import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, expect, it } from "vitest";
import { WalWrites } from "./sqlite-wal-writes.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function walDatabase(): { path: string; db: Database.Database } {
  const folder = mkdtempSync(join(tmpdir(), "wal-writes-"));
  folders.push(folder);
  const path = join(folder, "app.db");
  const db = new Database(path);
  db.pragma("journal_mode = wal");
  db.exec("create table notes (body text)");
  return { path, db };
}

it("wakes a waiter at another connection's commit, long before its pause ends", async () => {
  const { path, db } = walDatabase();
  try {
    const started = performance.now();
    const woken = new WalWrites(path).next(10_000);
    setTimeout(() => db.exec("insert into notes values ('a commit')"), 20);
    await woken;
    // The pause would have been 10 s: only the write can have ended the wait this soon.
    expect(performance.now() - started).toBeLessThan(2_000);
  } finally {
    db.close();
  }
});

it("ends the wait after the pause when nobody writes, and in memory, where there is no log", async () => {
  const { path, db } = walDatabase();
  try {
    const started = performance.now();
    await Promise.all([new WalWrites(path).next(30), new WalWrites(undefined).next(30)]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  } finally {
    db.close();
  }
});
