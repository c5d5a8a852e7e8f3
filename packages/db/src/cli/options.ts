import type { Options } from "@mikro-orm/sql";
import { type CreateOrmOptions, ormOptions } from "../create-orm.ts";
import { parseDatabaseUrl } from "../database-url.ts";
import { migrationsFolder } from "./list-migration.ts";
import { cliMigrator } from "./migrator.ts";

/**
 * MikroORM's CLI configuration for the database `options.url` names: exactly createOrm's options
 * (entities, the dialect's migration list, driver and SQLite settings), so the CLI and the
 * server's start-up record the same migrations in the same table. Added for the CLI only: the
 * folder `migration:create` writes into, and its migrator (migrator.ts).
 */
export async function cliOrmOptions(options: CreateOrmOptions): Promise<Options> {
  const { dialect } = parseDatabaseUrl(options.url, options.baseDir);
  const shared = await ormOptions(options);
  const folder = migrationsFolder(dialect);
  return {
    ...shared,
    extensions: [cliMigrator(dialect)],
    migrations: { ...shared.migrations, path: folder, pathTs: folder },
  };
}
