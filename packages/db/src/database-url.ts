import { isAbsolute, resolve } from "node:path";

export type Dialect = "sqlite" | "postgresql" | "mariadb";

/** Where the data lives, as parsed from a `DATABASE_URL`. */
export type DatabaseTarget =
  | { dialect: "sqlite"; path: string }
  | { dialect: "postgresql" | "mariadb"; url: string; database: string };

/** Thrown for a `DATABASE_URL` this project cannot use; its message is meant for the person who set it. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

const accepted =
  "expected sqlite:./relative.db, sqlite:/absolute.db, sqlite::memory:, postgres://user@host:5432/db or mysql://user@host:3306/db";

const serverSchemes: Record<string, "postgresql" | "mariadb"> = {
  "postgres:": "postgresql",
  "postgresql:": "postgresql",
  "mysql:": "mariadb",
  "mariadb:": "mariadb",
};

/**
 * Parses a `DATABASE_URL`: the scheme picks the driver. SQLite paths are resolved against `baseDir`.
 * @example parseDatabaseUrl("sqlite:./data/app.db", "/srv") // { dialect: "sqlite", path: "/srv/data/app.db" }
 * @example parseDatabaseUrl("postgres://app@db/shop") // { dialect: "postgresql", url: "…", database: "shop" }
 */
export function parseDatabaseUrl(url: string, baseDir = process.cwd()): DatabaseTarget {
  const trimmed = url.trim();
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(trimmed);
  if (sqlite?.[1]) {
    const path = sqlite[1];
    if (path === ":memory:") return { dialect: "sqlite", path };
    return { dialect: "sqlite", path: isAbsolute(path) ? path : resolve(baseDir, path) };
  }
  const parsed = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  const dialect = parsed && serverSchemes[parsed.protocol];
  if (!parsed || !dialect)
    throw new DatabaseUrlError(`unsupported DATABASE_URL "${redact(url)}": ${accepted}`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) {
    throw new DatabaseUrlError(
      `DATABASE_URL "${redact(url)}" names no database: add it as the path, e.g. …/app`,
    );
  }
  return { dialect, url: trimmed, database };
}

/**
 * The URL with its password replaced, safe for logs and error messages. The password runs to the
 * last `@`, since people write `@`, `/`, `:` or `#` in one unencoded; an `@` in the query string
 * after a password hides more than the password, never less.
 */
export function redact(url: string): string {
  return url.replace(/^(\s*[a-z][a-z0-9+.-]*:\/\/[^:@/]*):.*@/i, "$1:***@");
}
