import { describeEachDatabase } from "@app/db/testing";
import fc from "fast-check";
import { it } from "vitest";
import { startTestServer } from "./support/harness.ts";
import { itemCommands } from "./support/item-commands.ts";
import { expectAgreement, type Model, type Real } from "./support/model.ts";
import { pageCommands } from "./support/page-commands.ts";
import { userCommands } from "./support/user-commands.ts";

// Model-based test (issue 7): random sequences of creates, updates and deletes of users and items,
// and reads of their pages, against the real server and an in-memory model, which must agree after
// every step. Ids, cursors, page sizes and versions come from anywhere in JSON's range (issue 17):
// one that no database stores must be refused as BAD_REQUEST, on every database.

// Sequences of up to 25 commands; fewer runs on the server databases, whose calls cost more.
const maxCommands = 25;
const runsFor = (dialect: string) => Number(process.env.MODEL_RUNS ?? (dialect === "sqlite" ? 50 : 20));

await describeEachDatabase("random create/update/delete sequences", (dialect) => {
  it("keep the server and an in-memory model in agreement after every step", async () => {
    await using server = await startTestServer({}, dialect);
    const started = performance.now();
    let sequences = 0;
    let steps = 0;
    // One server for all runs; each run starts from empty tables but for the admin every command
    // calls as (ids need not restart: the model takes them from the server's answers). The admin
    // keeps what earlier runs made of its name, email and version, so the model reads it back.
    const setup = async (): Promise<{ model: Model; real: Real }> => {
      const em = server.orm.em.fork();
      await em.execute("delete from items");
      await em.execute("delete from users where id <> ?", [server.admin.id]);
      const { id, name, email, role, version } = await server.client.users.byId.query({
        id: server.admin.id,
      });
      const model: Model = { users: [{ id, name, email, role, version, items: [] }], callerId: id };
      const real: Real = { server };
      await expectAgreement(model, real);
      return { model, real };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.commands([...userCommands, ...itemCommands, ...pageCommands], { maxCommands, size: "max" }),
        async (commands) => {
          sequences += 1;
          steps += [...commands].length;
          await fc.asyncModelRun(setup, commands);
        },
      ),
      { numRuns: runsFor(dialect) },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`model-based [${dialect}]: ${sequences} sequences, ${steps} commands in ${seconds} s`);
  }, 120_000);
});
