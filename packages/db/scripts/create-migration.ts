// Writes, for each dialect, a migration for whatever the entities describe beyond the
// checked-in migrations. Needs the local PostgreSQL and MariaDB (see adminUrls) for those two.
// Usage: pnpm --filter @app/db migration:create [name]      then list the new classes in
// src/migrations/index.ts.
import { fileURLToPath } from "node:url";
import { createOrm, type Dialect, migrateToLatest } from "../src/index.ts";
import { createScratchDatabase } from "../src/testing/index.ts";

const dialects: Dialect[] = ["sqlite", "postgresql", "mariadb"];

for (const dialect of dialects) {
  await using scratch = await createScratchDatabase(dialect);
  const orm = await createOrm({ url: scratch.url });
  try {
    await migrateToLatest(orm);
    const path = fileURLToPath(new URL(`../src/migrations/${dialect}`, import.meta.url));
    const result = await orm.migrator.create(path, false, false, process.argv[2]);
    console.log(`${dialect}: ${result.fileName ? `wrote ${result.fileName}` : "up to date"}`);
  } finally {
    await orm.close(true);
  }
}
