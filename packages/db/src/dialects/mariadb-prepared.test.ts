import { CompiledQuery } from "kysely";
import { describe, expect, it } from "vitest";
import { createOrm, type Orm } from "../create-orm.ts";
import { migrateToLatest } from "../migrate.ts";
import { readsOf } from "../repositories/kysely.ts";
import { toDate } from "../repositories/timestamps.ts";
import { createScratchDatabase, testedDialects } from "../testing/index.ts";
import { preparedStatementsPerConnection } from "./types.ts";

const mariadb = (await testedDialects()).find(({ dialect }) => dialect === "mariadb");

type Counts = { prepared: number; executed: number; closed: number };

/** This connection's prepared-statement counters (the ORM has one connection: ormOf). */
async function countsOf(orm: Orm): Promise<Counts> {
  const rows = await orm.em
    .fork()
    .execute<{ Variable_name: string; Value: string }[]>("show session status like 'Com_stmt_%'");
  const value = (name: string) => Number(rows.find((row) => row.Variable_name === name)?.Value);
  return {
    prepared: value("Com_stmt_prepare"),
    executed: value("Com_stmt_execute"),
    closed: value("Com_stmt_close"),
  };
}

async function changeIn(orm: Orm, run: () => Promise<unknown>): Promise<Counts> {
  const before = await countsOf(orm);
  await run();
  const after = await countsOf(orm);
  return {
    prepared: after.prepared - before.prepared,
    executed: after.executed - before.executed,
    closed: after.closed - before.closed,
  };
}

(mariadb?.skip || !mariadb ? describe.skip : describe)("prepared statements on MariaDB", () => {
  it("prepares a statement with values once per connection, and leaves the rest to the text protocol", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    const byId = (id: number) =>
      readsOf(em).selectFrom("users").select("name").where("id", "=", id).execute();
    const reads = await changeIn(orm, async () => {
      for (const id of [1, 2, 3]) await byId(id);
    });
    expect(reads).toEqual({ prepared: 1, executed: 3, closed: 0 });
    // MikroORM's own statements (values written into the text) and those without values.
    expect(
      await changeIn(orm, async () => {
        await em.execute("select 1");
        await em.execute("select * from users where id = ?", [1]);
      }),
    ).toEqual({ prepared: 0, executed: 0, closed: 0 });
  });

  it("reads and binds every kind of value as the text protocol does", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    await em.execute(
      "create table probe (id int unsigned primary key, n int, s varchar(10), nul text null, flag tinyint(1), at datetime(3), whole datetime(3), d decimal(6,2), big bigint unsigned, bytes varbinary(10))",
    );
    await em.execute(
      "insert into probe values (1, 42, 'Ann', null, 1, '2026-12-01 10:00:00.123', '2026-12-01 10:00:00', 12.5, 9007199254740993, 'hi')",
    );
    const viaText = (await em.execute("select * from probe where id = 1"))[0];
    const byValues = CompiledQuery.raw(
      "select * from probe where id = ? and n = ? and s = ? and flag = ? and at = ? and d = ? and big = ? and bytes = ? and nul is null",
      [
        1,
        42,
        "Ann",
        true,
        new Date("2026-12-01T10:00:00.123Z"),
        "12.50",
        9007199254740993n,
        Buffer.from("hi"),
      ],
    );
    let viaPrepared: unknown;
    const change = await changeIn(orm, async () => {
      viaPrepared = (await readsOf(em).executeQuery(byValues)).rows[0];
    });
    expect(change).toMatchObject({ prepared: 1, executed: 1 });
    expect(viaText).toEqual({
      id: 1,
      n: 42,
      s: "Ann",
      nul: null,
      flag: 1,
      at: "2026-12-01 10:00:00.123",
      whole: "2026-12-01 10:00:00.000",
      d: "12.50",
      big: "9007199254740993",
      bytes: Buffer.from("hi"),
    });
    // The one difference: a timestamp with no fraction is spelt without one, the same instant.
    expect(viaPrepared).toEqual({ ...viaText, whole: "2026-12-01 10:00:00" });
    expect(toDate("2026-12-01 10:00:00")).toEqual(toDate("2026-12-01 10:00:00.000"));
  });

  it("leaves a list bound to one placeholder, which only the text protocol expands, to it", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    const list = CompiledQuery.raw("select seq from seq_1_to_5 where seq in (?) order by seq", [[2, 4]]);
    const change = await changeIn(orm, async () => {
      expect((await readsOf(em).executeQuery(list)).rows).toEqual([{ seq: 2 }, { seq: 4 }]);
    });
    expect(change).toMatchObject({ prepared: 0, executed: 0 });
  });

  it("sends a statement MariaDB will not prepare through the text protocol, trying once", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    const db = readsOf(em);
    // Not supported as a prepared statement (ER_UNSUPPORTED_PS).
    await db.executeQuery(CompiledQuery.raw("prepare probe from ?", ["select 7 as n"]));
    expect(await em.execute("execute probe")).toEqual([{ n: 7 }]);
    // A placeholder where only a literal may stand (ER_PARSE_ERROR when prepared).
    const isNull = CompiledQuery.raw("select ? as n from dual where null is ?", [8, null]);
    const first = await changeIn(orm, async () => {
      expect((await db.executeQuery(isNull)).rows).toEqual([{ n: 8 }]);
    });
    const second = await changeIn(orm, async () => {
      expect((await db.executeQuery(isNull)).rows).toEqual([{ n: 8 }]);
    });
    expect(first).toMatchObject({ prepared: 1, executed: 0 });
    expect(second).toMatchObject({ prepared: 0, executed: 0 });
    // A statement that is wrong either way still fails as it did.
    await expect(db.executeQuery(CompiledQuery.raw("select ? frm dual", [1]))).rejects.toMatchObject({
      code: "ER_PARSE_ERROR",
    });
  });

  it("keeps at most the limit prepared on a connection, closing the least recently used", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const db = readsOf(orm.em.fork());
    const texts = preparedStatementsPerConnection + 10;
    const change = await changeIn(orm, async () => {
      for (let k = 0; k < texts; k++) {
        const { rows } = await db.executeQuery(CompiledQuery.raw(`select ? + ${k} as n`, [1]));
        expect(rows).toEqual([{ n: 1 + k }]);
      }
    });
    expect(change).toEqual({ prepared: texts, executed: texts, closed: 10 });
  });

  it("answers with the new columns after a schema change under a prepared statement", async () => {
    await using database = await createScratchDatabase("mariadb");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    await em.execute("create table t (x int)");
    await em.execute("insert into t values (1)");
    const read = async () =>
      (await readsOf(em).executeQuery(CompiledQuery.raw("select * from t where x = ?", [1]))).rows;
    expect(await read()).toEqual([{ x: 1 }]);

    // As a migration run by another process on a live server would.
    await using other = await createOrmDisposable(database.url);
    await other.em.fork().execute("alter table t add column y int default 2");
    expect(await read()).toEqual([{ x: 1, y: 2 }]);
    await other.em.fork().execute("alter table t modify column y varchar(10)");
    expect(await read()).toEqual([{ x: 1, y: "2" }]);
  });
});

async function createOrmDisposable(url: string, poolMax?: number): Promise<Orm & AsyncDisposable> {
  const orm = await createOrm({ url, ...(poolMax !== undefined && { poolMax }) });
  return Object.assign(orm, { [Symbol.asyncDispose]: () => orm.close(true) });
}

/** Migrated, then one connection, so that the session counters are those of every statement. */
async function ormOf(url: string): Promise<Orm & AsyncDisposable> {
  // Migrating takes a connection for its lock and another for the migrations (migrate.ts).
  {
    await using migrator = await createOrmDisposable(url);
    await migrateToLatest(migrator);
  }
  return createOrmDisposable(url, 1);
}
