import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrationsIndex, withMigrationListed } from "./list-migration.ts";

const index = readFileSync(migrationsIndex, "utf8");

/** The import sources of `source`, in order. */
function importSources(source: string): string[] {
  return [...source.matchAll(/^import .* from "(.*)";$/gm)].map((match) => match[1] ?? "");
}

describe("listing a new migration in src/migrations/index.ts", () => {
  it("imports it in sorted place and appends it to its dialect's list only", () => {
    const listed = withMigrationListed(index, "postgresql", "Migration20301231235959_tags");
    expect(listed).toContain(
      'import { Migration20301231235959_tags as PostgreSqlTags } from "./postgresql/Migration20301231235959_tags.ts";\n',
    );
    const sources = importSources(listed).filter((source) => source.startsWith("./"));
    expect(sources).toEqual([...sources].sort());
    const postgresqlList = /\n {2}postgresql: \[\n([\s\S]*?)\n {2}\],/.exec(listed)?.[1] ?? "";
    expect(postgresqlList.trim().split("\n").at(-1)?.trim()).toBe(
      '{ name: "Migration20301231235959_tags", class: PostgreSqlTags },',
    );
    expect(listed.match(/Migration20301231235959_tags", class/g)).toHaveLength(1);
  });

  it("leaves the file as it is when the migration is listed already", () => {
    const once = withMigrationListed(index, "sqlite", "Migration20301231235959_tags");
    expect(withMigrationListed(once, "sqlite", "Migration20301231235959_tags")).toBe(once);
  });

  it("names an unnamed migration's import by its timestamp, and one whose name is taken too", () => {
    const unnamed = withMigrationListed(index, "mariadb", "Migration20301231235959");
    expect(unnamed).toContain('{ name: "Migration20301231235959", class: MariaDb20301231235959 },');
    // MariaDbAccounts is taken by the checked-in accounts migration.
    const again = withMigrationListed(index, "mariadb", "Migration20301231235959_accounts");
    expect(again).toContain("class: MariaDb20301231235959 }");
  });

  it("refuses a file without the dialect's list, rather than guessing", () => {
    expect(() => withMigrationListed("export {};\n", "sqlite", "Migration20301231235959_tags")).toThrow(
      /no "sqlite: \[ … \]" list/,
    );
  });
});
