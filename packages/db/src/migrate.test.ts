import Database from "better-sqlite3";
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

it("migrates SQLite once another process lets go of the file, past the synchronous busy timeout", async () => {
  await using scratch = await createScratchDatabase("sqlite");
  const orm = await createOrm({ url: scratch.url });
  // Another process (here a second connection) holds the write lock for 400 ms, four times the
  // 100 ms a statement waits on its own: a second server starting while the first migrates.
  const other = new Database(scratch.url.slice("sqlite:".length));
  other.exec("begin immediate");
  const released = new Promise<void>((resolve) =>
    setTimeout(() => {
      other.exec("commit");
      resolve();
    }, 400),
  );
  try {
    expect(await migrateToLatest(orm)).toEqual(migrationsFor("sqlite").map((m) => m.name));
  } finally {
    await released;
    other.close();
    await orm.close(true);
  }
});

await describeEachDatabase("the accounts migration", (dialect) => {
  it("keeps every user and item, each user with the role user and no password", async () => {
    await using scratch = await createScratchDatabase(dialect);
    const orm = await createOrm({ url: scratch.url });
    try {
      const [initial] = migrationsFor(dialect);
      await orm.migrator.up({ to: initial?.name ?? "" });
      const em = orm.em.fork();
      const now = new Date(Date.UTC(2026, 0, 1));
      const at = dialect === "sqlite" ? now.getTime() : now;
      await em.execute(
        "insert into users (name, email, created_at, updated_at, version) values (?, ?, ?, ?, 1)",
        ["Ann", "ann@example.com", at, at],
      );
      await em.execute(
        "insert into items (title, owner_id, created_at, updated_at) values (?, (select id from users), ?, ?)",
        ["Notebook", at, at],
      );
      await migrateToLatest(orm);
      const users = await em.execute("select name, role, password_hash from users");
      expect(users).toEqual([{ name: "Ann", role: "user", password_hash: null }]);
      expect(await em.execute("select title from items")).toEqual([{ title: "Notebook" }]);
    } finally {
      await orm.close(true);
    }
  });
});
