import { isAbsolute, resolve } from "node:path";

/** Where the data lives, as parsed from a `DATABASE_URL`. */
export type DatabaseTarget = { dialect: "sqlite"; path: string };

/** Thrown for a `DATABASE_URL` this project cannot use; its message is meant for the person who set it. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/**
 * Parses a `DATABASE_URL`. SQLite paths are resolved against `baseDir`.
 * @example parseDatabaseUrl("sqlite:./data/app.db", process.cwd()) // { dialect: "sqlite", path: "/…/data/app.db" }
 */
export function parseDatabaseUrl(url: string, baseDir = process.cwd()): DatabaseTarget {
  const match = /^sqlite:(?:\/\/)?(.+)$/.exec(url.trim());
  if (!match?.[1]) {
    throw new DatabaseUrlError(
      `unsupported DATABASE_URL "${url}": expected sqlite:./relative.db, sqlite:/absolute.db or sqlite::memory:`,
    );
  }
  const path = match[1];
  if (path === ":memory:") return { dialect: "sqlite", path };
  return { dialect: "sqlite", path: isAbsolute(path) ? path : resolve(baseDir, path) };
}
