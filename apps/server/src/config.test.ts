import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultDatabaseUrl, loadConfig } from "./config.ts";
import { tracingVariables } from "./observability/tracing-config.ts";
import { workersWanted } from "./worker-count.ts";

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

describe("loadConfig for HTTP timeouts", () => {
  it("has defaults a slow-loris client cannot outlast, and refuses headers allowed longer than the request", () => {
    expect(loadConfig({})).toMatchObject({
      REQUEST_TIMEOUT_MS: 30_000,
      HEADERS_TIMEOUT_MS: 10_000,
      KEEP_ALIVE_TIMEOUT_MS: 5_000,
      IDLE_TIMEOUT_MS: 60_000,
    });
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "5000", HEADERS_TIMEOUT_MS: "6000" })).toThrow(
      /HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS/,
    );
  });
});

describe("loadConfig for accounts", () => {
  it("has sign-up open, sessions of 30 days and no admin account by default", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ SIGNUP: "open", SESSION_TTL_DAYS: 30 });
    expect(config.ADMIN_EMAIL).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
  });

  it("takes SIGNUP=open|closed and refuses anything else", () => {
    expect(loadConfig({ SIGNUP: "closed" }).SIGNUP).toBe("closed");
    expect(loadConfig({ SIGNUP: "open" }).SIGNUP).toBe("open");
    for (const value of ["yes", "Closed", "off"]) {
      expect(() => loadConfig({ SIGNUP: value }), value).toThrow(ConfigError);
      expect(() => loadConfig({ SIGNUP: value }), value).toThrow(/SIGNUP: /);
    }
  });

  it("takes SESSION_TTL_DAYS as a whole number of days from 1 to 3650", () => {
    expect(loadConfig({ SESSION_TTL_DAYS: "7" }).SESSION_TTL_DAYS).toBe(7);
    expect(loadConfig({ SESSION_TTL_DAYS: "3650" }).SESSION_TTL_DAYS).toBe(3650);
    for (const value of ["0", "-1", "1.5", "3651", "a week"]) {
      expect(() => loadConfig({ SESSION_TTL_DAYS: value }), value).toThrow(
        /^invalid configuration: SESSION_TTL_DAYS: /,
      );
    }
  });

  it("takes ADMIN_EMAIL with ADMIN_PASSWORD, the email normalised as sign-in reads it", () => {
    const config = loadConfig({ ADMIN_EMAIL: " Root@Example.ORG ", ADMIN_PASSWORD: "a long passphrase" });
    expect(config).toMatchObject({ ADMIN_EMAIL: "root@example.org", ADMIN_PASSWORD: "a long passphrase" });
    expect(() => loadConfig({ ADMIN_EMAIL: "not an email", ADMIN_PASSWORD: "a long passphrase" })).toThrow(
      /ADMIN_EMAIL: /,
    );
  });

  it("refuses ADMIN_EMAIL without ADMIN_PASSWORD, and the reverse, as one error naming both", () => {
    const halves: Record<string, string>[] = [
      { ADMIN_EMAIL: "root@example.org" },
      { ADMIN_PASSWORD: "a long passphrase" },
    ];
    for (const env of halves) {
      const error = configErrorOf(env);
      // One problem (problems are joined with "; "), and it says what to do.
      expect(error.message).not.toContain(";");
      expect(error.message).toMatch(
        /^invalid configuration: .*set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither$/,
      );
    }
  });

  it("refuses an ADMIN_PASSWORD of the wrong length without printing it", () => {
    for (const secret of ["s3cr3t!", "long-secret-".repeat(11)]) {
      const error = configErrorOf({ ADMIN_EMAIL: "root@example.org", ADMIN_PASSWORD: secret });
      expect(error.message).toMatch(
        /^invalid configuration: ADMIN_PASSWORD: Use at (least 8|most 128) characters$/,
      );
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(secret.slice(0, 6));
    }
  });
});

/** The ConfigError `loadConfig(env)` throws (fails the test if it throws nothing or something else). */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${Object.keys(env).join(", ")}`);
}

describe("loadConfig for WORKERS", () => {
  it("runs one server process per core by default, and takes 1 or more", () => {
    expect(loadConfig({}).WORKERS).toBe(availableParallelism());
    expect(loadConfig({ WORKERS: "1" }).WORKERS).toBe(1);
    expect(loadConfig({ WORKERS: "3" }).WORKERS).toBe(3);
    for (const value of ["0", "-2", "1.5", "all"]) {
      expect(() => loadConfig({ WORKERS: value }), value).toThrow(/^invalid configuration: WORKERS: /);
    }
  });

  it("runs one process on an in-memory SQLite database, which another process could not see", () => {
    expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).WORKERS).toBe(1);
    expect(() => loadConfig({ DATABASE_URL: "sqlite::memory:", WORKERS: "2" })).toThrow(
      /^invalid configuration: WORKERS: must be 1 with an in-memory SQLite database/,
    );
  });

  it("is read alike before validation, for the cluster's early start, or not at all if invalid", () => {
    // run.ts forks the workers this says before loadConfig runs: every count it gives must be
    // loadConfig's, and a WORKERS loadConfig refuses must give none.
    const environments = [
      {},
      { WORKERS: "" },
      { WORKERS: "1" },
      { WORKERS: " 3 " },
      { WORKERS: "2.0" },
      { WORKERS: "1024" },
      { DATABASE_URL: "sqlite::memory:" },
      { DATABASE_URL: " sqlite::memory: " },
      { DATABASE_URL: "" },
      { DATABASE_URL: "sqlite:./data/app.db", WORKERS: "2" },
      { DATABASE_URL: "postgres://app@db/shop" },
    ];
    for (const env of environments)
      expect(workersWanted(env), JSON.stringify(env)).toBe(loadConfig(env).WORKERS);
    for (const value of ["0", "-2", "1.5", "all", "1025", "0x"]) {
      expect(workersWanted({ WORKERS: value }), value).toBeUndefined();
      expect(() => loadConfig({ WORKERS: value }), value).toThrow(/WORKERS/);
    }
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
    // ADMIN_EMAIL, ADMIN_PASSWORD and METRICS_PORT are optional, so absent from a config that does not set them.
    const read = loadConfig({
      ADMIN_EMAIL: "root@example.org",
      ADMIN_PASSWORD: "a long passphrase",
      METRICS_PORT: "9464",
    });
    // The OTEL_* variables have a table of their own (below); `tracing` is what they make.
    const otel = documented.filter((name) => name?.startsWith("OTEL_"));
    const { tracing: _, ...own } = read;
    expect(documented.filter((name) => !otel.includes(name)).sort()).toEqual(Object.keys(own).sort());
    expect(otel.sort()).toEqual([...tracingVariables].sort());
  });
});

describe(".env.example", () => {
  it("names every variable the server reads, and the CLI's and the dev loop's, once each", () => {
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const named = [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const read = loadConfig({
      ADMIN_EMAIL: "root@example.org",
      ADMIN_PASSWORD: "a long passphrase",
      METRICS_PORT: "9464",
    });
    const { tracing: _, ...own } = read;
    const others = ["API_URL", "API_TOKEN", "TRACEPARENT", "WEB_PORT"];
    expect([...new Set(named)].sort()).toEqual([...Object.keys(own), ...tracingVariables, ...others].sort());
    // DATABASE_URL shows one example per database; everything else appears once.
    expect(named.filter((name) => name !== "DATABASE_URL").length).toBe(new Set(named).size - 1);
  });

  it("holds only defaults: the configuration it describes, uncommented, is the zero configuration", () => {
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const defaults = Object.fromEntries(
      [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)]
        .filter(([, name]) => name !== "DATABASE_URL" && !name?.startsWith("OTEL_"))
        .map(([, name, value]) => [name, value]),
    );
    const { tracing: _, ...fromExample } = loadConfig(defaults);
    const { tracing: __, ...zero } = loadConfig({});
    expect(fromExample).toEqual(zero);
  });
});
