import { expect, it } from "vitest";
import { createOrm } from "./create-orm.ts";
import { poolStatsOf } from "./pool-stats.ts";
import { createScratchDatabase, describeEachDatabase } from "./testing/index.ts";

await describeEachDatabase("poolStatsOf", (dialect) => {
  // SQLite has one connection whatever the setting; the server databases get two.
  const max = dialect === "sqlite" ? 1 : 2;

  it("counts the connections in use and the callers queued for one, and both fall back to 0", async () => {
    await using database = await createScratchDatabase(dialect);
    await using orm = Object.assign(await createOrm({ url: database.url, poolMax: 2 }), {
      [Symbol.asyncDispose]: () => orm.close(true),
    });
    let letGo = () => {};
    const held = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    // Every connection held by a transaction that waits for `held`, then one more caller.
    const holders = Array.from({ length: max }, () =>
      orm.em.fork().transactional(async (tx) => {
        await tx.execute("select 1");
        await held;
      }),
    );
    await expect.poll(() => poolStatsOf(orm).inUse).toBe(max);
    // A transaction: on SQLite a plain read outside one takes the read handle and waits for nothing.
    const queued = orm.em.fork().transactional((tx) => tx.execute("select 1"));
    await expect.poll(() => poolStatsOf(orm)).toEqual({ size: max, inUse: max, waiting: 1, max });

    letGo();
    await Promise.all([...holders, queued]);
    expect(poolStatsOf(orm)).toMatchObject({ inUse: 0, waiting: 0, max });
  });
});

it("reads zeros for an ORM it was not told about", () => {
  expect(poolStatsOf({})).toEqual({ size: 0, inUse: 0, waiting: 0, max: 0 });
});
