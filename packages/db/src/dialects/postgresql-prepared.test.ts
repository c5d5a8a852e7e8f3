import pg from "pg";
import { describe, expect, it } from "vitest";
import { createOrm, type Orm } from "../create-orm.ts";
import { migrateToLatest } from "../migrate.ts";
import { readsOf } from "../repositories/kysely.ts";
import { createUser } from "../repositories/users.ts";
import { createScratchDatabase, testedDialects } from "../testing/index.ts";
import { isTransientDatabaseError } from "../transient-errors.ts";
import { parsedStatementsOf } from "./pg-internals.ts";
import { listenForChanges } from "./postgresql-listen.ts";
import { prepareStatements, statementName } from "./postgresql-prepared.ts";

const postgresql = (await testedDialects()).find(({ dialect }) => dialect === "postgresql");

type Prepared = { name: string; statement: string; executions: number };

/** The statements prepared on this connection, and how often each was run. */
async function preparedOn(client: pg.Client): Promise<Prepared[]> {
  const { rows } = await client.query<Prepared>(
    "select name, statement, generic_plans + custom_plans as executions from pg_prepared_statements order by prepare_time",
  );
  return rows.map((row) => ({ ...row, executions: Number(row.executions) }));
}

/** A client with the hook, as the pool hands them out; disposed at the end of the test. */
async function clientWithHook(url: string, limit: number): Promise<pg.Client & AsyncDisposable> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  prepareStatements(client, limit);
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.end() });
}

(postgresql?.skip || !postgresql ? describe.skip : describe)("named statements on PostgreSQL", () => {
  it("prepares a statement with values once per connection, and leaves the rest unnamed", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using orm = await ormOf(database.url);
    const em = orm.em.fork();
    const byId = (id: number) => readsOf(em).selectFrom("users").select("name").where("id", "=", id);
    for (let id = 1; id <= 5; id++) await byId(id).execute();
    // MikroORM's own statements (values written into the text) and those without values: unnamed.
    await em.execute("select 1");
    await em.execute("select * from users where id = 1");

    const rows = await em.execute<Prepared[]>(
      "select name, statement, generic_plans + custom_plans as executions from pg_prepared_statements",
    );
    const text = byId(0).compile().sql;
    expect(rows.map((row) => ({ ...row, executions: Number(row.executions) }))).toEqual([
      { name: statementName(text), statement: text, executions: 5 },
    ]);
  });

  it("records the names where pg-internals.ts reads them (fails if a pg upgrade moves them)", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 10);
    await client.query("select $1::int as n", [1]);
    expect(parsedStatementsOf(client)).toEqual({
      [statementName("select $1::int as n")]: "select $1::int as n",
    });
  });

  it("keeps at most the limit prepared, dropping the least recently used, and answers every text", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 3);
    const answer = async (k: number) => (await client.query(`select $1::int + ${k} as n`, [1])).rows[0];
    for (let k = 0; k < 5; k++) expect(await answer(k)).toEqual({ n: 1 + k });
    expect(await answer(3)).toEqual({ n: 4 }); // the most recently used now
    expect(await answer(5)).toEqual({ n: 6 }); // drops 2, the least recently used
    const prepared = await preparedOn(client);
    expect(prepared.map((p) => p.statement)).toEqual([
      "select $1::int + 3 as n",
      "select $1::int + 4 as n",
      "select $1::int + 5 as n",
    ]);
    expect(prepared.map((p) => p.executions)).toEqual([2, 1, 1]);
  });

  it("prepares a statement again when a schema change outdates it, and answers with the new columns", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 10);
    await client.query("create table t (x int)");
    await client.query("insert into t values (1)");
    const read = () => client.query("select * from t where x = $1", [1]);
    expect((await read()).rows).toEqual([{ x: 1 }]);

    // As a migration run by another process on a live server would.
    await using other = await clientWithHook(database.url, 10);
    await other.query("alter table t add column y int default 2");
    expect((await read()).rows).toEqual([{ x: 1, y: 2 }]);
    await other.query("alter table t alter column y type text");
    expect((await read()).rows).toEqual([{ x: 1, y: "2" }]);
    expect(await preparedOn(client)).toMatchObject([{ statement: "select * from t where x = $1" }]);
  });

  it("fails an outdated statement inside a transaction once, as transient, then prepares it again", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 10);
    await client.query("create table t (x int)");
    const read = () => client.query("select * from t where x = $1", [1]);
    await read();
    await client.query("alter table t add column y int");

    await client.query("begin");
    const error = await read().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    await client.query("rollback");
    expect(error).toMatchObject({ code: "0A000" });
    expect(isTransientDatabaseError(error)).toBe(true);

    // In the next transaction it goes unnamed; once idle, it is prepared again.
    await client.query("begin");
    expect((await read()).rows).toEqual([]);
    await client.query("commit");
    expect((await read()).rows).toEqual([]);
    expect(await preparedOn(client)).toMatchObject([
      { statement: "select * from t where x = $1", executions: 1 },
    ]);
  });

  it("leaves a failed transaction failing as before, and the names usable after it", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 10);
    const read = () => client.query("select $1::int as n", [7]);
    await read();
    await client.query("begin");
    await expect(client.query("select 1/0")).rejects.toMatchObject({ code: "22012" });
    await expect(read()).rejects.toMatchObject({ code: "25P02" });
    await expect(client.query("select $1::int + 1 as n", [7])).rejects.toMatchObject({ code: "25P02" });
    await client.query("rollback");
    expect((await read()).rows).toEqual([{ n: 7 }]);
    expect((await client.query("select $1::int + 1 as n", [7])).rows).toEqual([{ n: 8 }]);
    expect((await preparedOn(client)).map((p) => p.executions)).toEqual([2, 1]);
  });

  it("keeps a statement whose parse failed unnamed, so it fails the same way every time", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using client = await clientWithHook(database.url, 10);
    for (let i = 0; i < 2; i++) {
      await expect(client.query("select $1::int from missing", [1])).rejects.toMatchObject({ code: "42P01" });
    }
    expect(await preparedOn(client)).toEqual([]);
  });

  it("notifies the change feed from the named statement that takes the change ids", async () => {
    await using database = await createScratchDatabase("postgresql");
    await using orm = await ormOf(database.url);
    let wakes = 0;
    const stop = await listenForChanges(database.url, () => wakes++);
    try {
      const before = wakes;
      for (const name of ["Ann", "Bea"]) {
        await orm.em.fork().transactional((tx) => createUser(tx, { name, email: `${name}@example.com` }));
      }
      await expect.poll(() => wakes - before).toBe(2);
      const rows = await orm.em
        .fork()
        .execute<{ statement: string }[]>("select statement from pg_prepared_statements");
      expect(rows.some((row) => row.statement.includes("pg_notify"))).toBe(true);
    } finally {
      await stop();
    }
  });
});

/** Migrated, then one connection, so that every statement of a test meets the same session. */
async function ormOf(url: string): Promise<Orm & AsyncDisposable> {
  // Migrating takes a connection for its lock and another for the migrations (migrate.ts).
  const migrator = await createOrm({ url });
  try {
    await migrateToLatest(migrator);
  } finally {
    await migrator.close(true);
  }
  const orm = await createOrm({ url, poolMax: 1 });
  return Object.assign(orm, { [Symbol.asyncDispose]: () => orm.close(true) });
}
