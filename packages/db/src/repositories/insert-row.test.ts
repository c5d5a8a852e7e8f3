import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from "@mikro-orm/sql";
import { expect, it, vi } from "vitest";
import { createOrm, type Orm } from "../create-orm.ts";
import { Item } from "../entities/item.ts";
import { User } from "../entities/user.ts";
import { migrateToLatest } from "../migrate.ts";
import { createScratchDatabase, describeEachDatabase } from "../testing/index.ts";
import { insertRow } from "./insert-row.ts";
import { readsOf } from "./kysely.ts";
import { toDate } from "./timestamps.ts";

async function migratedOrm(url: string): Promise<Orm & AsyncDisposable> {
  const orm = await createOrm({ url });
  await migrateToLatest(orm);
  return Object.assign(orm, { [Symbol.asyncDispose]: () => orm.close(true) });
}

await describeEachDatabase("insertRow", (dialect) => {
  it("fills in what the entity declares (timestamps, version) and returns the values it wrote", async () => {
    await using scratch = await createScratchDatabase(dialect);
    await using orm = await migratedOrm(scratch.url);
    const before = Date.now();
    const row = await insertRow(orm.em.fork(), User, { name: "Ann", email: "ann@example.com" });
    expect(row).toMatchObject({ name: "Ann", email: "ann@example.com", version: 1 });
    expect(row.created_at).toBeInstanceOf(Date);
    expect(toDate(row.created_at).getTime()).toBeGreaterThanOrEqual(before);
    expect(row.updated_at).toBe(row.created_at);

    const stored = await readsOf(orm.em.fork())
      .selectFrom("users")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect({
      ...stored,
      created_at: toDate(stored.created_at),
      updated_at: toDate(stored.updated_at),
    }).toEqual(row);
    // The ORM reads back what insertRow wrote, as it would have written it itself.
    const user = await orm.em.fork().findOneOrFail(User, row.id);
    expect([user.createdAt.getTime(), user.version]).toEqual([toDate(row.created_at).getTime(), 1]);
  });

  it("returns driver errors as the ORM's exception classes", async () => {
    await using scratch = await createScratchDatabase(dialect);
    await using orm = await migratedOrm(scratch.url);
    await insertRow(orm.em.fork(), User, { name: "Ann", email: "ann@example.com" });
    await expect(insertRow(orm.em.fork(), User, { name: "Bob", email: "ann@example.com" })).rejects.toThrow(
      UniqueConstraintViolationException,
    );
    await expect(
      insertRow(orm.em.fork(), Item, { owner: 404, title: "Pen", description: null }),
    ).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});

it("reads an entity's metadata on its first insert only", async () => {
  await using orm = await migratedOrm("sqlite::memory:");
  const meta = orm.getMetadata().get(Item);
  const planned = vi.spyOn(meta, "getPrimaryProp");
  const { id: owner } = await insertRow(orm.em.fork(), User, { name: "Ann", email: "ann@example.com" });
  const pen = await insertRow(orm.em.fork(), Item, { owner, title: "Pen" });
  const cup = await insertRow(orm.em.fork(), Item, { owner, title: "Cup", description: "blue" });
  expect(planned).toHaveBeenCalledTimes(1);
  expect([pen.description, cup.description, cup.owner_id]).toEqual([null, "blue", owner]);
});
