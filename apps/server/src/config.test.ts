import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultDatabaseUrl, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("works with zero configuration: SQLite in the server's data folder on 127.0.0.1:8000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ HOST: "127.0.0.1", PORT: 8000, LOG_LEVEL: "info", CORS_ORIGINS: [] });
    expect(config.DATABASE_URL).toBe(defaultDatabaseUrl);
    expect(defaultDatabaseUrl).toMatch(/^sqlite:\/.*\/apps\/server\/data\/app\.db$/);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).PORT).toBe(8000);
  });

  it("splits and checks CORS origins", () => {
    expect(loadConfig({ CORS_ORIGINS: "https://a.example, http://localhost:5173" }).CORS_ORIGINS).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: "not a url" })).toThrow(/CORS_ORIGINS/);
  });

  it("names every bad variable in one ConfigError", () => {
    expect(() => loadConfig({ PORT: "70000", SQLITE_SYNCHRONOUS: "OFF" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "70000", SQLITE_SYNCHRONOUS: "OFF" })).toThrow(
      /PORT: .*; SQLITE_SYNCHRONOUS: /,
    );
  });
});

describe("loadConfig for databases", () => {
  it("accepts PostgreSQL and MariaDB URLs, and pool and timeout settings", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://app@db.internal:5432/shop",
      DATABASE_POOL_MAX: "25",
      DATABASE_STATEMENT_TIMEOUT_MS: "2000",
    });
    expect(config).toMatchObject({ DATABASE_POOL_MAX: 25, DATABASE_STATEMENT_TIMEOUT_MS: 2000 });
    expect(loadConfig({ DATABASE_URL: "mysql://root@127.0.0.1:3306/shop" }).DATABASE_URL).toContain("mysql:");
  });

  it("refuses a DATABASE_URL it cannot use, naming the accepted forms without the password", () => {
    expect(() => loadConfig({ DATABASE_URL: "oracle://scott:tiger@db/x" })).toThrow(
      /DATABASE_URL: unsupported DATABASE_URL "oracle:\/\/scott:\*\*\*@db\/x": expected sqlite:/,
    );
  });
});

describe("README's configuration table", () => {
  it("lists exactly the variables the server reads", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("## PostgreSQL and MariaDB"),
    );
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(loadConfig({})).sort());
  });
});
