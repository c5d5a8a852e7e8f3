import { describeEachDatabase } from "@app/db/testing";
import fc from "fast-check";
import { expect, it } from "vitest";
import { spoiledCall } from "./support/bad-fields.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";
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

/**
 * Two users with two items each, so that some valid calls find something: users 1 (the admin the
 * server starts with), 2 and 3, items 1 to 4.
 */
async function seed(server: TestServer): Promise<void> {
  for (const name of ["Ann", "Bob"]) {
    const user = await server.client.users.create.mutate({
      name,
      email: `${name.toLowerCase()}@example.com`,
    });
    await server.client.items.create.mutate({ userId: user.id, title: "Notebook" });
    await server.client.items.create.mutate({ userId: user.id, title: "Pen", description: "blue" });
  }
}

/** Counts answers by status and prints them with the elapsed time when done. */
function tally(label: string) {
  const started = performance.now();
  const statuses: Record<number, number> = {};
  let calls = 0;
  return {
    record(status: number) {
      calls += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
    },
    print() {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${label}: ${calls} calls in ${seconds} s, by status ${JSON.stringify(statuses)}`);
    },
  };
}

async function expectHealthy(server: TestServer): Promise<void> {
  const response = await fetch(`${server.url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", db: "ok" });
}

/**
 * What a valid input may get other than found, not found or a conflict: a sign-in with a made-up
 * password is refused (401), a password change with a made-up current one is a field error (400),
 * and both are throttled (429) after a few.
 */
const validAnswers: Record<string, number[]> = {
  "auth.signIn": [401, 429],
  "auth.changePassword": [400, 429],
};

/** The id a valid `users.*` input names (the account it would delete or change), if any. */
function namedUser(procedure: ProcedureSpec, input: unknown): number | undefined {
  if (!procedure.path.startsWith("users.") || typeof input !== "object" || input === null) return undefined;
  const id: unknown = Reflect.get(input, "id");
  return typeof id === "number" ? id : undefined;
}

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
    const stats = tally(`arbitrary JSON [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...procedures),
        fc.oneof(anyJson, hostileObject),
        async (procedure: ProcedureSpec, payload: unknown) => {
          const before = await snapshotRows(server);
          const parsed = procedure.schema?.safeParse(payload) ?? { success: true, data: undefined };
          const caller = admins.callerFor(parsed.success ? namedUser(procedure, parsed.data) : undefined);
          const answer = await callRaw(server.url, procedure, payload, caller.headers);
          stats.record(answer.status);
          expect(answer.status).toBeLessThan(500);
          if (parsed.success) {
            // Valid after all (a lucky `{ id: 1 }`): it may find nothing or conflict, never fail.
            expect(validAnswers[procedure.path] ?? [200, 404, 409]).toContain(answer.status);
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
    const stats = tally(`one spoiled field [${dialect}]`);
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
    const stats = tally(`odd valid text [${dialect}]`);
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
