import { setTimeout as sleep } from "node:timers/promises";
import { TableExistsException } from "@mikro-orm/core";
import type { Orm } from "./create-orm.ts";
import { isTransientDatabaseError } from "./transient-errors.ts";

/** Any constant works; it only has to be the same in every process of this application. */
const migrationLockKey = 727_274_001;

/**
 * Applies every pending migration and returns the names of those it ran. Several servers may
 * start at once against one database: one migrates, the others then find nothing to do.
 */
export async function migrateToLatest(orm: Orm, attempts = 3): Promise<string[]> {
  try {
    return orm.dialect === "sqlite" ? await migrateSqlite(orm) : await migrateUnderLock(orm);
  } catch (error) {
    // The loser of a race to create a table (the migrator creates its own bookkeeping table
    // outside any lock) rolls back; on the next attempt it finds the work done.
    if (attempts <= 1 || !lostTableRace(error)) throw error;
    return migrateToLatest(orm, attempts - 1);
  }
}

// SQLite has one connection per process, which the migrator needs for itself, so no lock can be
// held around it: each batch runs in one `begin immediate` transaction, and a lost race retries.

/** How long start-up waits for another process (say, a second server migrating) to let go of an SQLite file. */
const sqliteLockWaitMs = 10_000;

/**
 * The migrator's writes outside its transaction (creating its own table) wait for another
 * process's write lock only as long as the connection's synchronous busy timeout (100 ms, see
 * dialects/sqlite.ts). A second server starting beside one that is still migrating on a loaded
 * machine waited longer and failed to start ("database is locked", seen in CI), so a busy file
 * is tried again, pausing without blocking, for up to `sqliteLockWaitMs`.
 */
async function migrateSqlite(orm: Orm): Promise<string[]> {
  const deadline = Date.now() + sqliteLockWaitMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
    try {
      return names(await orm.migrator.up());
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() + pause > deadline) throw error;
      await sleep(pause);
    }
  }
}

/** PostgreSQL and MariaDB: a database lock held in a transaction around the migrator. */
async function migrateUnderLock(orm: Orm): Promise<string[]> {
  const connection = orm.driver.getConnection();
  const trx = await connection.begin();
  const run = (sql: string) => connection.execute(sql, [], "all", trx);
  try {
    if (orm.dialect === "postgresql") {
      await run(`select pg_advisory_xact_lock(${migrationLockKey})`);
    } else if (orm.dialect === "mariadb") {
      await run(`select get_lock('migrations-${migrationLockKey}', 60)`);
    }
    const applied = names(await orm.migrator.up({ transaction: trx }));
    if (orm.dialect === "mariadb") {
      await run(`select release_lock('migrations-${migrationLockKey}')`);
    }
    await connection.commit(trx);
    return applied;
  } catch (error) {
    await connection.rollback(trx);
    throw error;
  }
}

/** MikroORM converts most "already exists" errors, but not those of the migrator's own multi-statement DDL. */
function lostTableRace(error: unknown): boolean {
  return (
    error instanceof TableExistsException || (error instanceof Error && /already exists/i.test(error.message))
  );
}

function names(migrations: { name: string }[]): string[] {
  return migrations.map((migration) => migration.name);
}
