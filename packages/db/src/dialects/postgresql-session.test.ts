import pg from "pg";
import { describe, expect, it } from "vitest";
import { createOrm } from "../create-orm.ts";
import { migrateToLatest } from "../migrate.ts";
import { createSession, findCaller } from "../repositories/sessions.ts";
import { createUser, getUsers } from "../repositories/users.ts";
import { createScratchDatabase, testedDialects } from "../testing/index.ts";

const postgresql = (await testedDialects()).find(({ dialect }) => dialect === "postgresql");

(postgresql?.skip || !postgresql ? describe.skip : describe)("PostgreSQL session settings", () => {
  it("reads true UTC instants from a database whose defaults are another zone and DateStyle", async () => {
    await using database = await createScratchDatabase("postgresql");
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const name = new URL(database.url).pathname.slice(1);
    await admin.query(`alter database "${name}" set timezone = 'America/New_York'`);
    await admin.query(`alter database "${name}" set datestyle = 'SQL, DMY'`);
    await admin.end();

    const migrator = await createOrm({ url: database.url });
    await migrateToLatest(migrator);
    await migrator.close(true);
    const orm = await createOrm({ url: database.url, poolMax: 1 });
    try {
      const before = Date.now();
      const created = await orm.em
        .fork()
        .transactional((em) => createUser(em, { name: "Ann", email: "ann@example.com" }));
      const after = Date.now();
      const createdAt = Date.parse(created.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before);
      expect(createdAt).toBeLessThanOrEqual(after);
      // A read rewrites the database's text: the same instant as the write, in the same form.
      const read = (await getUsers(orm.em.fork(), [created.id])).get(created.id);
      expect(read?.createdAt).toBe(created.createdAt);
      expect(read?.updatedAt).toBe(created.updatedAt);

      // Sessions' timestamps are read through a Date (findCaller): an expiry a day ahead stays a day ahead.
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const expiresAt = new Date(now.getTime() + 86_400_000);
      await orm.em
        .fork()
        .transactional((em) =>
          createSession(em, { userId: created.id, tokenHash: "a".repeat(64), now, expiresAt }),
        );
      const caller = await findCaller(orm.em.fork(), "session", "a".repeat(64), now);
      expect(caller?.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
    } finally {
      await orm.close(true);
    }
  });
});
