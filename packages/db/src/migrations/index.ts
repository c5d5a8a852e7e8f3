import type { MigrationObject } from "@mikro-orm/core";
import type { Dialect } from "../database-url.ts";
import { Migration20261125022421 as MariaDbInitial } from "./mariadb/Migration20261125022421.ts";
import { Migration20261201041435_accounts as MariaDbAccounts } from "./mariadb/Migration20261201041435_accounts.ts";
import { Migration20261201045541_changes as MariaDbChanges } from "./mariadb/Migration20261201045541_changes.ts";
import { Migration20261125022420 as PostgreSqlInitial } from "./postgresql/Migration20261125022420.ts";
import { Migration20261201041435_accounts as PostgreSqlAccounts } from "./postgresql/Migration20261201041435_accounts.ts";
import { Migration20261201045541_changes as PostgreSqlChanges } from "./postgresql/Migration20261201045541_changes.ts";
import { Migration20261125021143 as SqliteInitial } from "./sqlite/Migration20261125021143.ts";
import { Migration20261201041435_accounts as SqliteAccounts } from "./sqlite/Migration20261201041435_accounts.ts";
import { Migration20261201045540_changes as SqliteChanges } from "./sqlite/Migration20261201045540_changes.ts";

/**
 * Every migration of a dialect, oldest first. Listed explicitly so nothing depends on file
 * discovery at run time. New ones are added here by `pnpm --filter @app/db migration:create` (all
 * three dialects) or `npm run db -- migration:create` (the one DATABASE_URL names).
 */
const byDialect: Record<Dialect, MigrationObject[]> = {
  sqlite: [
    { name: "Migration20261125021143", class: SqliteInitial },
    { name: "Migration20261201041435_accounts", class: SqliteAccounts },
    { name: "Migration20261201045540_changes", class: SqliteChanges },
  ],
  postgresql: [
    { name: "Migration20261125022420", class: PostgreSqlInitial },
    { name: "Migration20261201041435_accounts", class: PostgreSqlAccounts },
    { name: "Migration20261201045541_changes", class: PostgreSqlChanges },
  ],
  mariadb: [
    { name: "Migration20261125022421", class: MariaDbInitial },
    { name: "Migration20261201041435_accounts", class: MariaDbAccounts },
    { name: "Migration20261201045541_changes", class: MariaDbChanges },
  ],
};

export function migrationsFor(dialect: Dialect): MigrationObject[] {
  return byDialect[dialect];
}
