// MikroORM's CLI configuration (`npm run db -- <command>`, README "Migrations"): the database
// DATABASE_URL names, read and checked by the server's own configuration (the same default SQLite
// file, the same SQLite and pool settings), with createOrm's entities and migrations.
import { cliOrmOptions } from "@app/db";
import { loadConfig } from "./src/config.ts";
import { databaseOptions } from "./src/database-options.ts";

export default cliOrmOptions(databaseOptions(loadConfig()));
