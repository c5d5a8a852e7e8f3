import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseDatabaseUrl } from "./database-url.ts";

describe("parseDatabaseUrl", () => {
  it("resolves a relative SQLite path against the base folder", () => {
    expect(parseDatabaseUrl("sqlite:./data/app.db", "/srv/app")).toEqual({
      dialect: "sqlite",
      path: "/srv/app/data/app.db",
    });
  });

  it("keeps absolute SQLite paths, with or without slashes after the scheme", () => {
    expect(parseDatabaseUrl("sqlite:/var/app.db").path).toBe("/var/app.db");
    expect(parseDatabaseUrl("sqlite:///var/app.db").path).toBe("/var/app.db");
  });

  it("understands an in-memory database", () => {
    expect(parseDatabaseUrl("sqlite::memory:")).toEqual({ dialect: "sqlite", path: ":memory:" });
  });

  it("names the accepted forms when it cannot use a URL", () => {
    expect(() => parseDatabaseUrl("oracle://db/x")).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl("sqlite:")).toThrow(/sqlite:\.\/relative\.db/);
  });
});
