import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOrm } from "./create-orm.ts";
import type { Dialect } from "./database-url.ts";
import { User } from "./entities/user.ts";
import { migrateToLatest } from "./migrate.ts";
import { adminUrls, testedDialects } from "./testing/index.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "db-test-"));
  folders.push(folder);
  return folder;
}

describe("createOrm", () => {
  it("creates the SQLite file and its folders, with WAL, NORMAL sync, foreign keys and a busy timeout", async () => {
    const url = `sqlite:${join(freshFolder(), "nested", "deeper", "app.db")}`;
    await using orm = await createOrmDisposable(url);
    const em = orm.em.fork();
    const pragma = async (name: string) => Object.values((await em.execute(`pragma ${name}`))[0] ?? {})[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("synchronous")).toBe(1);
    expect(await pragma("foreign_keys")).toBe(1);
    expect(await pragma("busy_timeout")).toBe(100);
  });

  it("lets FULL synchronous be chosen", async () => {
    await using orm = await createOrmDisposable(`sqlite:${join(freshFolder(), "app.db")}`, "FULL");
    const rows = await orm.em.fork().execute("pragma synchronous");
    expect(rows[0]).toEqual({ synchronous: 2 });
  });

  it("refuses the global EntityManager for request work", async () => {
    await using orm = await createOrmDisposable("sqlite::memory:");
    await migrateToLatest(orm);
    await expect(orm.em.find(User, {})).rejects.toThrow(/global EntityManager/);
  });

  it("forks without writing the process environment, and still refuses the global one after", async () => {
    await using orm = await createOrmDisposable("sqlite::memory:");
    await migrateToLatest(orm);
    // A call that uses the ORM forks; unpatched, each fork wrote process.env twice (patches/README.md).
    const env = process.env;
    const written: string[] = [];
    process.env = new Proxy(env, {
      set: (target, name, value) => {
        written.push(String(name));
        return Reflect.set(target, name, value);
      },
    });
    try {
      await orm.em.fork().find(User, {});
    } finally {
      process.env = env;
    }
    expect(written).toEqual([]);
    await expect(orm.em.find(User, {})).rejects.toThrow(/global EntityManager/);
  });
});

// The server databases only: a SQLite file is created by opening it, with nothing to race.
const serverDatabases = (await testedDialects()).filter(
  (tested): tested is { dialect: Exclude<Dialect, "sqlite">; skip?: string } => tested.dialect !== "sqlite",
);
for (const { dialect, skip } of serverDatabases) {
  (skip ? describe.skip : describe)(`createOrm on a database that does not exist yet [${dialect}]`, () => {
    it("creates it once when several servers start together", async () => {
      // Each found it missing and created it, and all but the first failed: WORKERS=2 (one per
      // core by default) could not start on a new PostgreSQL database.
      const url = new URL(adminUrls[dialect]);
      url.pathname = `/fresh_${process.pid}_${randomBytes(4).toString("hex")}`;
      const started = await Promise.allSettled(
        Array.from({ length: 3 }, () => createOrm({ url: url.toString(), poolMax: 2 })),
      );
      const orms = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      try {
        expect(
          started.map((result) => (result.status === "rejected" ? String(result.reason) : "ok")),
        ).toEqual(["ok", "ok", "ok"]);
        for (const orm of orms) expect(await orm.em.fork().execute("select 1 as one")).toEqual([{ one: 1 }]);
      } finally {
        for (const orm of orms) await orm.close(true);
        const admin = await createOrm({ url: adminUrls[dialect], poolMax: 1 });
        const force = dialect === "postgresql" ? " with (force)" : "";
        await admin.em.fork().execute(`drop database if exists ${url.pathname.slice(1)}${force}`);
        await admin.close(true);
      }
    });
  });
}

async function createOrmDisposable(url: string, sqliteSynchronous?: "NORMAL" | "FULL") {
  const orm = await createOrm({ url, ...(sqliteSynchronous && { sqliteSynchronous }) });
  return Object.assign(orm, { [Symbol.asyncDispose]: () => orm.close() });
}
