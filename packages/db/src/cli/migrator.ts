import { resolve } from "node:path";
import type { MigrateOptions, MigrationInfo, MikroORM } from "@mikro-orm/core";
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

  // MikroORM takes a `--to` it does not know for "all the way" (every migration applied, or every
  // table dropped) and an unknown `--only` for none, each with "Successfully migrated": so every
  // name given is resolved first, and one that matches no migration stops the command.
  override async up(options?: string | string[] | MigrateOptions): Promise<MigrationInfo[]> {
    return super.up(await this.resolveNames(options));
  }

  override async down(options?: string | string[] | Omit<MigrateOptions, "from">): Promise<MigrationInfo[]> {
    if ((await this.getExecuted()).length === 0) {
      throw new Error("no migration is applied to this database: nothing to revert");
    }
    return super.down(await this.resolveNames(options));
  }

  private async resolveNames<T extends MigrateOptions>(
    options: string | string[] | T | undefined,
  ): Promise<string | string[] | T | undefined> {
    if (options === undefined) return options;
    const known = [
      ...(await this.getExecuted()).map((row) => row.name),
      ...(await this.getPending()).map((migration) => migration.name),
    ];
    const resolve = (name: string | number): string => {
      // As MikroORM reads a name: no extension, and a bare timestamp for the migration it starts.
      const given = String(name).replace(/\.[jt]s$/, "");
      const wanted = /^\d{14}$/.test(given) ? `Migration${given}` : given;
      const found = known.filter((name) => name === wanted || name.startsWith(`${wanted}_`));
      if (found.length === 1 && found[0] !== undefined) return found[0];
      throw new Error(
        `no migration named "${name}" (\`npm run db -- migration:list\` and \`migration:pending\` show their names): nothing was changed`,
      );
    };
    if (typeof options === "string") return resolve(options);
    if (Array.isArray(options)) return options.map(resolve);
    const { from, to, migrations } = options;
    return {
      ...options,
      ...(from !== undefined && from !== 0 ? { from: resolve(from) } : {}),
      ...(to !== undefined && to !== 0 ? { to: resolve(to) } : {}),
      ...(migrations !== undefined ? { migrations: migrations.map(resolve) } : {}),
    };
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
