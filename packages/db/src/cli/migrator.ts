import { resolve } from "node:path";
import type { MikroORM } from "@mikro-orm/core";
import { type MigrationResult, Migrator } from "@mikro-orm/migrations";
import { EntityManager } from "@mikro-orm/sql";
import type { Dialect } from "../database-url.ts";
import { listMigration, migrationsFolder, migrationsIndex } from "./list-migration.ts";

/**
 * MikroORM's migrator as the CLI uses it here (`npm run db -- migration:…`). `migration:create`
 * and `migration:check` compare the entities with the database's schema (no snapshot file), so
 * both refuse a database with migrations still to apply: the comparison would show what those
 * migrations do, and `create` would write them again. A migration written into the dialect's
 * folder is added to the explicit list in src/migrations/index.ts.
 */
class CliMigrator extends Migrator {
  readonly #dialect: Dialect;

  constructor(em: EntityManager, dialect: Dialect) {
    super(em);
    this.#dialect = dialect;
  }

  override async create(
    path?: string,
    blank = false,
    initial = false,
    name?: string,
  ): Promise<MigrationResult> {
    if (!blank && !initial) await this.refuseWhilePending("a new migration would repeat them");
    const result = await super.create(path, blank, initial, name);
    const className = /export class (\w+)/.exec(result.code)?.[1];
    if (!className) return result;
    const folder = migrationsFolder(this.#dialect);
    if (path !== undefined && resolve(path) !== folder) {
      say(`Not listed in ${migrationsIndex}: written outside ${folder}.`);
      return result;
    }
    try {
      listMigration(this.#dialect, className);
      say(`Listed ${className} in ${migrationsIndex} (${this.#dialect}).`);
    } catch (error) {
      say(
        `List ${className} in ${migrationsIndex} by hand: ${error instanceof Error ? error.message : error}.`,
      );
    }
    say(
      "Then `npm run format`, and write the same change for the other dialects (DATABASE_URL naming one of each, or `npm run pnpm -- --filter @app/db migration:create` for all three).",
    );
    return result;
  }

  override async checkSchema(): Promise<boolean> {
    await this.refuseWhilePending("the check would report them as changes");
    return super.checkSchema();
  }

  private async refuseWhilePending(why: string): Promise<void> {
    const pending = await this.getPending();
    if (pending.length === 0) return;
    const names = pending.map((migration) => migration.name).join(", ");
    throw new Error(
      `${pending.length} migration(s) not applied to this database yet (${names}): apply them first with \`npm run db -- migration:up\`; ${why}`,
    );
  }
}

/**
 * The migrator extension for MikroORM's CLI configuration (see options.ts). It bears the name of
 * MikroORM's own, which the CLI would otherwise add beside it (it looks extensions up by name).
 */
export function cliMigrator(dialect: Dialect): { name: string; register(orm: MikroORM): void } {
  return {
    name: "Migrator",
    register(orm) {
      // Called before the ORM has its EntityManager: the migrator is made on first use.
      orm.config.registerExtension("@mikro-orm/migrator", () => {
        const em = orm.em;
        if (!(em instanceof EntityManager)) throw new Error("the migrator needs an SQL driver");
        return new CliMigrator(em, dialect);
      });
    },
  };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
