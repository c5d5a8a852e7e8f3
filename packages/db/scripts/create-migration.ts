// Writes, for each dialect, a migration for whatever the entities describe beyond the
// checked-in migrations, and lists it in src/migrations/index.ts. Needs the local PostgreSQL and
// MariaDB (see adminUrls) for those two. For one dialect against a database of your own, there is
// MikroORM's CLI: `npm run db -- migration:create` (README, "Migrations").
// Usage: pnpm --filter @app/db migration:create [name]      then `npm run format`.
import { listMigration, migrationsFolder } from "../src/cli/list-migration.ts";
import { createOrm, type Dialect, migrateToLatest } from "../src/index.ts";
import { createScratchDatabase } from "../src/testing/index.ts";

const dialects: Dialect[] = ["sqlite", "postgresql", "mariadb"];

for (const dialect of dialects) {
  await using scratch = await createScratchDatabase(dialect);
  const orm = await createOrm({ url: scratch.url });
  try {
    await migrateToLatest(orm);
    const result = await orm.migrator.create(migrationsFolder(dialect), false, false, process.argv[2]);
    const className = /export class (\w+)/.exec(result.code)?.[1];
    if (className) listMigration(dialect, className);
    console.log(`${dialect}: ${result.fileName ? `wrote and listed ${result.fileName}` : "up to date"}`);
  } finally {
    await orm.close(true);
  }
}
