import type { Orm } from "./create-orm.ts";

/** Any constant works; it only has to be the same in every process of this application. */
const migrationLockKey = 727_274_001;

/**
 * Applies every pending migration and returns the names of those it ran. Several servers may
 * start at once against one database: on PostgreSQL and MariaDB they take a lock first, so one
 * migrates and the others then find nothing to do.
 */
export async function migrateToLatest(orm: Orm): Promise<string[]> {
  if (orm.dialect === "sqlite") return names(await orm.migrator.up());
  const connection = orm.driver.getConnection();
  const trx = await connection.begin();
  const run = (sql: string) => connection.execute(sql, [], "all", trx);
  try {
    if (orm.dialect === "postgresql") {
      await run(`select pg_advisory_xact_lock(${migrationLockKey})`);
    } else {
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

function names(migrations: { name: string }[]): string[] {
  return migrations.map((migration) => migration.name);
}
