import { describeEachDatabase } from "@app/db/testing";
import fc from "fast-check";
import { expect, it } from "vitest";
import { spoiledCall } from "./support/bad-fields.ts";
import { expectHealthy, namedUser, seed, statusTally, validAnswersOf } from "./support/fuzz-run.ts";
import { startTestServer } from "./support/harness.ts";
import { anyJson, hostileObject, oddStorableString } from "./support/hostile-values.ts";
import {
  adminCallers,
  callRaw,
  errorBody,
  type ProcedureSpec,
  procedures,
  snapshotRows,
} from "./support/raw-calls.ts";

// Property-based tests of every procedure over HTTP with inputs nobody should send (issue 7).
// Each property prints one line of figures; docs/reliability.md records them.

const numRuns = Number(process.env.FUZZ_RUNS ?? 200);

/** The `name: …` label the error message uses for an issue at `path`. */
function labelOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "input";
}

await describeEachDatabase("hostile input to every procedure", (dialect) => {
  it("answers arbitrary JSON with 400 naming exactly the fields the schema refuses, never a 5xx, and writes nothing", async () => {
    await using server = await startTestServer({}, dialect);
    await seed(server);
    // Sent as an admin, who may call everything: what is judged here is the input.
    const admins = await adminCallers(server);
    const stats = statusTally(`arbitrary JSON [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...procedures),
        fc.oneof(anyJson, hostileObject),
        async (procedure: ProcedureSpec, payload: unknown) => {
          const before = await snapshotRows(server);
          const parsed = procedure.schema?.safeParse(payload) ?? { success: true, data: undefined };
          const caller = admins.callerFor(
            parsed.success ? namedUser(procedure.path, parsed.data) : undefined,
          );
          const answer = await callRaw(server.url, procedure, payload, caller.headers);
          stats.record(answer.status);
          expect(answer.status).toBeLessThan(500);
          if (parsed.success) {
            // Valid after all (a lucky `{ id: 1 }`): it may find nothing or conflict, never fail.
            expect(validAnswersOf(procedure.path)).toContain(answer.status);
            if (answer.status === 400) {
              // A wrong current password: said beside that field alone.
              expect(Object.keys(errorBody(answer).data.zodError?.fieldErrors ?? {})).toEqual([
                "currentPassword",
              ]);
            }
            if (procedure.kind === "query") expect(await snapshotRows(server)).toEqual(before);
            // It may have deleted or demoted the other admin, or signed out its sender: replace
            // them before the next call.
            else if (answer.status === 200) await admins.restore();
            return;
          }
          expect(answer.status).toBe(400);
          const error = errorBody(answer);
          expect(error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
          for (const issue of parsed.error.issues)
            expect(error.message).toContain(`${labelOf(issue.path)}: `);
          const fields = new Set(parsed.error.issues.flatMap((issue) => issue.path.slice(0, 1).map(String)));
          expect(Object.keys(error.data.zodError?.fieldErrors ?? {}).sort()).toEqual([...fields].sort());
          expect(await snapshotRows(server)).toEqual(before);
        },
      ),
      { numRuns },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);

  it("answers 400 naming the one spoiled field of an otherwise valid input, and writes nothing", async () => {
    await using server = await startTestServer({}, dialect);
    await seed(server);
    const stats = statusTally(`one spoiled field [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(spoiledCall, async ({ procedure, field, payload }) => {
        const before = await snapshotRows(server);
        const answer = await callRaw(server.url, procedure, payload, server.adminHeaders);
        stats.record(answer.status);
        expect(answer.status).toBe(400);
        const error = errorBody(answer);
        expect(error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
        expect(Object.keys(error.data.zodError?.fieldErrors ?? {})).toEqual([field]);
        expect(error.message).toMatch(new RegExp(`^${field}: `));
        expect(await snapshotRows(server)).toEqual(before);
      }),
      { numRuns },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);

  it("stores odd but valid text exactly as sent, trimmed, and reads it back unchanged", async () => {
    await using server = await startTestServer({}, dialect);
    const stats = statusTally(`odd valid text [${dialect}]`);
    let serial = 0;
    // Lengths in UTF-16 units bound zod's code points from above, so these stay valid.
    const trimmedLength = (min: number, max: number) => (s: string) =>
      s.trim().length >= min && s.trim().length <= max;
    await fc.assert(
      fc.asyncProperty(
        oddStorableString({ minLength: 1, maxLength: 40 }).filter(trimmedLength(1, 100)),
        oddStorableString({ minLength: 1, maxLength: 60 }).filter(trimmedLength(1, 200)),
        oddStorableString({ maxLength: 200 }).filter(trimmedLength(0, 2000)),
        async (name, title, description) => {
          serial += 1;
          const email = `user${serial}@example.com`;
          const user = await callRaw(
            server.url,
            procedures[0] as ProcedureSpec,
            { name, email },
            server.adminHeaders,
          );
          stats.record(user.status);
          expect(user.status).toBe(200);
          const userId = (user.body as { result: { data: { id: number } } }).result.data.id;
          const item = await server.client.items.create.mutate({ userId, title, description });
          stats.record(200);
          const read = await server.client.users.byId.query({ id: userId });
          stats.record(200);
          expect(read).toMatchObject({ name: name.trim(), email });
          expect(read.items).toEqual([item]);
          expect(item).toMatchObject({ title: title.trim(), description: description.trim() });
        },
      ),
      { numRuns: Math.ceil(numRuns / 3) },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);
});
