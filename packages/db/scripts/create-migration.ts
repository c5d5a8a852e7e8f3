// Writes a migration for whatever the entities describe beyond the checked-in migrations.
// Usage: pnpm --filter @app/db migration:create [name]
// Then add the new class to src/migrations/index.ts.
import { fileURLToPath } from "node:url";
import { createOrm, migrateToLatest } from "../src/index.ts";

const orm = await createOrm({ url: "sqlite::memory:" });
try {
  await migrateToLatest(orm);
  const path = fileURLToPath(new URL("../src/migrations/sqlite", import.meta.url));
  const result = await orm.migrator.create(path, false, false, process.argv[2]);
  console.log(result.fileName ? `wrote ${result.fileName}` : "no changes: the schema is up to date");
} finally {
  await orm.close();
}
