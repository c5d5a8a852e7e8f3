import { createOrm } from "@app/db";
import { testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { expectClientError, startTestServer } from "./support/harness.ts";

const statementTimeoutMs = 1_000;

// The server databases only: SQLite has no statement timeout (its lock waits are
// sqlite-locking.test.ts's).
const serverDatabases = (await testedDialects()).filter(({ dialect }) => dialect !== "sqlite");

for (const { dialect, skip } of serverDatabases) {
  (skip ? describe.skip : describe)(`a statement held past the statement timeout [${dialect}]`, () => {
    it("answers 503 (the database is busy, not the call wrong) and changes nothing", async () => {
      await using server = await startTestServer(
        { DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs) },
        dialect,
      );
      const user = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });

      // Another connection holds the user's row lock for longer than the statement timeout.
      const locker = await createOrm({ url: server.config.DATABASE_URL, poolMax: 1 });
      try {
        const started = Date.now();
        const error = await locker.em.fork().transactional(async (tx) => {
          await tx.execute("select id from users where id = ? for update", [user.id]);
          return expectClientError(
            server.unbatchedClient.users.update.mutate({ id: user.id, name: "Bea" }),
            "SERVICE_UNAVAILABLE",
          );
        });
        expect(error.data?.httpStatus).toBe(503);
        expect(Date.now() - started).toBeLessThan(statementTimeoutMs + 2_000);
      } finally {
        await locker.close(true);
      }
      expect(await server.client.users.byId.query({ id: user.id })).toMatchObject({
        name: "Ann",
        version: 1,
      });
    });
  });
}
