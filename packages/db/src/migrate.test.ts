import { expect, it } from "vitest";
import { createOrm } from "./create-orm.ts";
import { migrateToLatest } from "./migrate.ts";
import { migrationsFor } from "./migrations/index.ts";
import { createScratchDatabase, describeEachDatabase } from "./testing/index.ts";

await describeEachDatabase("migrations", (dialect) => {
  it("migrate a fresh database to exactly the schema the entities describe", async () => {
    await using scratch = await createScratchDatabase(dialect);
    const orm = await createOrm({ url: scratch.url });
    try {
      expect(await migrateToLatest(orm)).toEqual(migrationsFor(dialect).map((m) => m.name));
      expect(await orm.schema.getUpdateSchemaSQL()).toBe("");
    } finally {
      await orm.close(true);
    }
  });

  it("treat a second run as a no-op, also when several servers start at once", async () => {
    await using scratch = await createScratchDatabase(dialect);
    const orms = [await createOrm({ url: scratch.url }), await createOrm({ url: scratch.url })];
    try {
      const runs = await Promise.all(orms.map((orm) => migrateToLatest(orm)));
      expect(runs.flat()).toEqual(migrationsFor(dialect).map((m) => m.name));
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
    }
  });
});
