import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseDatabaseUrl, redact } from "./database-url.ts";

describe("parseDatabaseUrl", () => {
  it("resolves a relative SQLite path against the base folder", () => {
    expect(parseDatabaseUrl("sqlite:./data/app.db", "/srv/app")).toEqual({
      dialect: "sqlite",
      path: "/srv/app/data/app.db",
    });
  });

  it("keeps absolute SQLite paths, with or without slashes after the scheme", () => {
    expect(parseDatabaseUrl("sqlite:/var/app.db")).toEqual({ dialect: "sqlite", path: "/var/app.db" });
    expect(parseDatabaseUrl("sqlite:///var/app.db")).toEqual({ dialect: "sqlite", path: "/var/app.db" });
  });

  it("understands an in-memory database", () => {
    expect(parseDatabaseUrl("sqlite::memory:")).toEqual({ dialect: "sqlite", path: ":memory:" });
  });

  it("names the accepted forms when it cannot use a URL", () => {
    expect(() => parseDatabaseUrl("oracle://db/x")).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl("sqlite:")).toThrow(/sqlite:\.\/relative\.db/);
  });
});

describe("parseDatabaseUrl for server databases", () => {
  it("picks PostgreSQL for postgres:// and postgresql://", () => {
    expect(parseDatabaseUrl("postgres://app:secret@db:5432/shop")).toEqual({
      dialect: "postgresql",
      url: "postgres://app:secret@db:5432/shop",
      database: "shop",
    });
    expect(parseDatabaseUrl("postgresql://db/shop").dialect).toBe("postgresql");
  });

  it("picks MariaDB for mysql:// and mariadb://", () => {
    expect(parseDatabaseUrl("mysql://root@127.0.0.1:3306/shop").dialect).toBe("mariadb");
    expect(parseDatabaseUrl("mariadb://root@127.0.0.1/shop").dialect).toBe("mariadb");
  });

  it("asks for a database name, and never repeats a password", () => {
    expect(() => parseDatabaseUrl("postgres://app:secret@db:5432/")).toThrow(/names no database/);
    expect(() => parseDatabaseUrl("postgres://app:secret@db:5432/")).not.toThrow(/secret/);
    expect(redact("mysql://root:hunter2@db/x")).toBe("mysql://root:***@db/x");
  });

  it("hides a password holding the characters a URL reserves, which people write unencoded", () => {
    // Each is printed as written when it cannot be parsed, and by the log line when it can.
    expect(redact("postgres://app:p@ss@db:5432/shop")).toBe("postgres://app:***@db:5432/shop");
    expect(redact("postgres://app:pa/ss@db:5432/shop")).toBe("postgres://app:***@db:5432/shop");
    expect(redact("postgres://app:a:b#c?d@db/shop")).toBe("postgres://app:***@db/shop");
    expect(redact("postgres://:secret@db/shop")).toBe("postgres://:***@db/shop");
    expect(redact(" mysql://root:hunter2@db/x")).toBe(" mysql://root:***@db/x");
    expect(() => parseDatabaseUrl("postgres://app:pa/ss@db:5432/shop")).not.toThrow(/pa\/ss/);
    // Nothing to hide: left as written.
    expect(redact("postgres://app@db:5432/shop?application_name=a@b")).toBe(
      "postgres://app@db:5432/shop?application_name=a@b",
    );
    expect(redact("sqlite:./data/app.db")).toBe("sqlite:./data/app.db");
  });
});
