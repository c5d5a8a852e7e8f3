import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOrm, type Orm } from "../create-orm.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteOrm(): Promise<Orm> {
  const folder = mkdtempSync(join(tmpdir(), "sqlite-connection-"));
  const orm = await createOrm({ url: `sqlite:${join(folder, "app.db")}` });
  cleanups.push(async () => {
    await orm.close(true);
    rmSync(folder, { recursive: true, force: true });
  });
  await orm.em.fork().execute("create table notes (id integer primary key, body text not null)");
  return orm;
}

/**
 * SQLite's answer to a full disk, without a disk to fill: `max_page_count` caps the file, and a
 * write past it fails with SQLITE_FULL, which rolls the whole transaction back by itself, just as
 * a full file system does (apps/server/test/storage-faults.test.ts has the real thing).
 */
async function capFileAtCurrentSize(orm: Orm): Promise<void> {
  const [row] = await orm.em.fork().execute<{ page_count: number }[]>("pragma page_count");
  await orm.em.fork().execute(`pragma max_page_count = ${Number(row?.page_count) + 1}`);
}

const count = async (orm: Orm) =>
  Number((await orm.em.fork().execute<{ n: number }[]>("select count(*) as n from notes"))[0]?.n);

const big = "x".repeat(100_000);

/**
 * A transaction that has run `statement` and holds the write handle until `letGo()`: reads
 * outside it then go to the read handle.
 */
async function holdWriteHandle(orm: Orm, statement: string) {
  const held = Promise.withResolvers<void>();
  const begun = Promise.withResolvers<void>();
  const writing = orm.em.fork().transactional(async (em) => {
    await em.execute(statement);
    begun.resolve();
    await held.promise;
  });
  await begun.promise;
  return { letGo: () => held.resolve(), writing };
}

describe("the SQLite connection after SQLite rolled a transaction back by itself", () => {
  it("is given back: the next transaction and the next read run (they waited forever before)", async () => {
    const orm = await sqliteOrm();
    await capFileAtCurrentSize(orm);
    const full = orm.em
      .fork()
      .transactional((em) => em.execute("insert into notes (body) values (?)", [big]));
    await expect(full).rejects.toMatchObject({ code: "SQLITE_FULL" });

    expect(await count(orm)).toBe(0);
    await orm.em.fork().transactional((em) => em.execute("insert into notes (body) values ('small')"));
    expect(await count(orm)).toBe(1);
  });

  it("refuses the rest of that transaction rather than run it outside any: nothing half-written", async () => {
    const orm = await sqliteOrm();
    await capFileAtCurrentSize(orm);
    const halfDone = orm.em.fork().transactional(async (em) => {
      await em.execute("insert into notes (body) values ('first')");
      // A caller that swallows the failure and goes on: SQLite has rolled 'first' back by now.
      await em.execute("insert into notes (body) values (?)", [big]).catch(() => undefined);
      await em.execute("insert into notes (body) values ('third')");
    });
    await expect(halfDone).rejects.toMatchObject({ code: "SQLITE_FULL" });
    expect(await count(orm)).toBe(0);
  });
});

describe("reads outside a transaction", () => {
  it("answer while a transaction holds the write handle, and see only what is committed", async () => {
    const orm = await sqliteOrm();
    await orm.em.fork().execute("insert into notes (body) values ('committed')");
    const { letGo, writing } = await holdWriteHandle(orm, "insert into notes (body) values ('uncommitted')");
    // They used to queue behind the transaction for the one connection, until it ended.
    const bodies = await orm.em.fork().execute<{ body: string }[]>("select body from notes order by id");
    expect(bodies.map((row) => row.body)).toEqual(["committed"]);
    letGo();
    await writing;
    expect(await count(orm)).toBe(2);
  });
});

describe("a database file moved away before the read handle's first read", () => {
  it("is not recreated empty at the path: the read fails, and succeeds once the file is back", async () => {
    const folder = mkdtempSync(join(tmpdir(), "sqlite-reader-"));
    const path = join(folder, "app.db");
    const orm = await createOrm({ url: `sqlite:${path}` });
    cleanups.push(async () => {
      await orm.close(true);
      rmSync(folder, { recursive: true, force: true });
    });
    await orm.em.fork().execute("create table notes (id integer primary key, body text not null)");
    // The write handle taken by a transaction, so the read goes to the read handle (never opened yet).
    const { letGo, writing } = await holdWriteHandle(orm, "select 1");
    renameSync(path, `${path}.away`);
    // It created an empty file at the path before, and "no such table" followed for good.
    await expect(orm.em.fork().execute("select count(*) as n from notes")).rejects.toMatchObject({
      code: expect.stringMatching(/^SQLITE_CANTOPEN/),
    });
    expect(existsSync(path)).toBe(false);
    renameSync(`${path}.away`, path);
    letGo();
    await writing;
    expect(await count(orm)).toBe(0);
  });
});
