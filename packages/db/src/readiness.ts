import type { Orm } from "./create-orm.ts";
import { migrationsFor } from "./migrations/index.ts";

/** The migrator's bookkeeping table (MikroORM's default name). */
const migrationsTable = "mikro_orm_migrations";

/**
 * Why the database cannot serve this server's code, or null when it can: it answers a query
 * against the schema (the tables every call touches exist) and every migration this build knows
 * has been applied. Throws what the database throws when it does not answer at all.
 */
export async function schemaProblem(orm: Orm): Promise<string | null> {
  const em = orm.em.fork();
  // Both tables every call reads; `where 1 = 0` reads no row but needs the table and its columns.
  await em.execute("select id, email, role from users where 1 = 0");
  await em.execute("select id, owner_id from items where 1 = 0");
  const rows: { name: string }[] = await em.execute(`select name from ${migrationsTable}`);
  const applied = new Set(rows.map((row) => row.name));
  const pending = migrationsFor(orm.dialect).filter((migration) => !applied.has(migration.name));
  if (pending.length > 0) return `${pending.length} migration(s) not applied: ${pending[0]?.name}…`;
  return null;
}
