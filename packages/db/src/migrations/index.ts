import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261125021143 } from "./sqlite/Migration20261125021143.ts";

/** Every SQLite migration, oldest first. Listed explicitly so nothing depends on file discovery at run time. */
export const migrations: MigrationObject[] = [
  { name: "Migration20261125021143", class: Migration20261125021143 },
];
