import { expect, it, vi } from "vitest";
import { createOrm, type Orm } from "../create-orm.ts";
import { User } from "../entities/user.ts";
import { migrateToLatest } from "../migrate.ts";
import { createScratchDatabase, describeEachDatabase } from "../testing/index.ts";
import { readByIds } from "./by-ids.ts";
import { insertRow } from "./insert-row.ts";
import type { Reads } from "./kysely.ts";

async function migratedOrm(url: string): Promise<Orm & AsyncDisposable> {
  const orm = await createOrm({ url });
  await migrateToLatest(orm);
  return Object.assign(orm, { [Symbol.asyncDispose]: () => orm.close(true) });
}

await describeEachDatabase("readByIds", (dialect) => {
  it("answers each call with its own ids, building the query once per ORM and number of ids", async () => {
    await using scratch = await createScratchDatabase(dialect);
    await using orm = await migratedOrm(scratch.url);
    for (const name of ["Ann", "Bea", "Cid"]) {
      await insertRow(orm.em.fork(), User, { name, email: `${name}@example.com` });
    }
    const build = vi.fn((db: Reads, ids: readonly number[]) =>
      db.selectFrom("users").select("name").where("id", "in", ids).orderBy("id"),
    );
    const namesOf = readByIds(build);
    const names = async (ids: number[]) => (await namesOf(orm.em.fork(), ids)).map((row) => row.name);

    expect(await names([1])).toEqual(["Ann"]);
    expect(await names([3])).toEqual(["Cid"]);
    expect(await names([3, 2])).toEqual(["Bea", "Cid"]);
    expect(await names([1, 3])).toEqual(["Ann", "Cid"]);
    expect(await names([4])).toEqual([]);
    expect(await names([])).toEqual([]);
    expect(build).toHaveBeenCalledTimes(2);

    // Past the longest kept, each call builds its own.
    const many = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(await names(many)).toEqual(["Ann", "Bea", "Cid"]);
    expect(await names(many)).toEqual(["Ann", "Bea", "Cid"]);
    expect(build).toHaveBeenCalledTimes(4);
  });
});
