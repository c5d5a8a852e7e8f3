import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dialect } from "../database-url.ts";

const migrationsRoot = fileURLToPath(new URL("../migrations/", import.meta.url));

/** Where a dialect's migrations are written: `src/migrations/<dialect>/`. */
export function migrationsFolder(dialect: Dialect): string {
  return join(migrationsRoot, dialect);
}

/** The explicit list of every dialect's migrations (nothing is discovered from files at run time). */
export const migrationsIndex = join(migrationsRoot, "index.ts");

const aliasPrefixes: Record<Dialect, string> = {
  sqlite: "Sqlite",
  postgresql: "PostgreSql",
  mariadb: "MariaDb",
};

/**
 * Adds a migration written into `migrationsFolder(dialect)` to that dialect's list in
 * src/migrations/index.ts, and returns whether it was missing. Throws when the file no longer
 * has the shape this expects, so that the caller can say to list it by hand.
 */
export function listMigration(dialect: Dialect, className: string): boolean {
  const source = readFileSync(migrationsIndex, "utf8");
  const updated = withMigrationListed(source, dialect, className);
  if (updated === source) return false;
  writeFileSync(migrationsIndex, updated);
  return true;
}

/**
 * index.ts's text with `className` (in `./<dialect>/<className>.ts`) imported and appended to
 * `dialect`'s list (the last: migration names start with their timestamp).
 */
export function withMigrationListed(source: string, dialect: Dialect, className: string): string {
  if (source.includes(`name: "${className}"`)) return source;
  const listStart = source.indexOf(`\n  ${dialect}: [\n`);
  const listEnd = listStart < 0 ? -1 : source.indexOf("\n  ],", listStart);
  if (listEnd < 0) throw new Error(`no "${dialect}: [ … ]" list found in ${migrationsIndex}`);
  const alias = aliasFor(source, dialect, className);
  const entry = `\n    { name: "${className}", class: ${alias} },`;
  const path = `./${dialect}/${className}.ts`;
  const importLine = `import { ${className} as ${alias} } from "${path}";\n`;
  const withEntry = source.slice(0, listEnd) + entry + source.slice(listEnd);
  const at = importInsertionPoint(withEntry, path);
  return withEntry.slice(0, at) + importLine + withEntry.slice(at);
}

/** `SqliteTags` for `Migration20261203101500_tags`, or `Sqlite20261203101500` when unnamed or taken. */
function aliasFor(source: string, dialect: Dialect, className: string): string {
  const prefix = aliasPrefixes[dialect];
  const [, timestamp = "", name = ""] = /^Migration(\d*)_?(.*)$/.exec(className) ?? [];
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const named = prefix + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
  const taken = (alias: string) => new RegExp(`\\b${alias}\\b`).test(source);
  if (words.length > 0 && !taken(named)) return named;
  const stamped = `${prefix}${timestamp || className}`;
  if (taken(stamped)) throw new Error(`the import name ${stamped} is taken in ${migrationsIndex}`);
  return stamped;
}

/**
 * Before the first import from this folder (`./…`) whose path sorts after the new one's, as
 * Biome's import sorting would place it; after the last import when none does.
 */
function importInsertionPoint(source: string, path: string): number {
  const imports = [...source.matchAll(/^import .* from "(.*)";\n/gm)];
  const next = imports.find((match) => match[1]?.startsWith("./") && match[1] > path);
  if (next) return next.index;
  const last = imports.at(-1);
  return last ? last.index + last[0].length : 0;
}
