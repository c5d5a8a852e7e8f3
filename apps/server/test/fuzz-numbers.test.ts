import {
  byIdInput,
  createApiTokenInput,
  createItemInput,
  listChangesInput,
  listItemsInput,
  listUsersInput,
  onChangeInput,
  updateItemInput,
  updateUserInput,
} from "@app/api/schemas";
import { describeEachDatabase } from "@app/db/testing";
import fc from "fast-check";
import { expect, it } from "vitest";
import type { z } from "zod";
import { restErrorBody } from "../src/transport/rest/errors.ts";
import {
  expectHealthy,
  namedUser,
  numberMessage,
  seed,
  statusTally,
  validAnswersOf,
} from "./support/fuzz-run.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";
import { jsonNumberText, jsonWithNumber, type NumberCall, numberCall } from "./support/json-numbers.ts";
import { adminCallers, callRawJson, errorBody, snapshotRows } from "./support/raw-calls.ts";

// Property-based tests of every number a caller sends (issue 17): ids, cursors, limits, versions,
// token lifetimes and change ids, spelled in any way JSON allows, over tRPC (alone and batched)
// and REST (path, query string, body, header), on every database. The schema judges each value;
// the database must never be the one to refuse it. docs/reliability.md records the figures.

const numRuns = Number(process.env.FUZZ_RUNS ?? 200);

type TrpcAnswer = {
  result?: unknown;
  error?: { message: string; data: { code: string; httpStatus: number; zodError: unknown } };
};

/** The checks on one answer to a respelled number: valid, any answer but a failure; else a 400 naming it. */
function expectJudged(call: NumberCall, status: number, answer: TrpcAnswer): void {
  const where = `${call.procedure.path} ${call.json}: ${status} ${JSON.stringify(answer)}`;
  const parsed = call.procedure.schema?.safeParse(call.input);
  if (parsed?.success) {
    expect(validAnswersOf(call.procedure.path), where).toContain(status);
    return;
  }
  expect(status, where).toBe(400);
  const error = errorBody({ status, body: answer });
  expect(error.data.code, where).toBe("BAD_REQUEST");
  expect(Object.keys(error.data.zodError?.fieldErrors ?? {}), where).toEqual([call.field]);
  expect(error.message.slice(`${call.field}: `.length), where).toMatch(numberMessage);
}

/** A batch of calls of one kind, as the client's batch link sends it, with its inputs' numbers as spelled. */
async function sendBatch(server: TestServer, calls: NumberCall[], headers: Record<string, string>) {
  const paths = calls.map((call) => call.procedure.path).join(",");
  const inputs = `{${calls.map((call, i) => `"${i}":${call.json}`).join(",")}}`;
  const query = calls[0]?.procedure.kind === "query";
  const response = query
    ? await fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(inputs)}`, { headers })
    : await fetch(`${server.url}/trpc/${paths}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: inputs,
      });
  return { status: response.status, answers: (await response.json()) as TrpcAnswer[] };
}

/** Where a REST call carries a number: the path, the query string, the JSON body or a header. */
type Place = "path" | "query" | "body" | "header";

type RestNumberRoute = {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** With `{id}` for the path parameter, if any. */
  path: string;
  schema: z.ZodType;
  /** A valid input, by the procedure's field names. */
  input: Record<string, unknown>;
  /** The numbers: by the name the request gives them, the input field and where they travel. */
  numbers: { name: string; field: string; place: Place }[];
};

/** Every REST operation that takes a number. Users 1 to 3 and items 1 to 4 exist. */
const restRoutes: RestNumberRoute[] = [
  {
    method: "GET",
    path: "/api/users/{id}",
    schema: byIdInput,
    input: { id: 2 },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "PUT",
    path: "/api/users/{id}",
    schema: updateUserInput,
    input: { id: 2, name: "Ann", version: 1 },
    numbers: [
      { name: "id", field: "id", place: "path" },
      { name: "version", field: "version", place: "body" },
    ],
  },
  {
    method: "DELETE",
    path: "/api/users/{id}",
    schema: byIdInput,
    input: { id: 3 },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "POST",
    path: "/api/users/{id}/items/",
    schema: createItemInput,
    input: { userId: 2, title: "Pen" },
    numbers: [{ name: "id", field: "userId", place: "path" }],
  },
  {
    method: "GET",
    path: "/api/users/",
    schema: listUsersInput,
    input: { limit: 10, cursor: 1 },
    numbers: [
      { name: "limit", field: "limit", place: "query" },
      { name: "cursor", field: "cursor", place: "query" },
    ],
  },
  {
    method: "GET",
    path: "/api/items/",
    schema: listItemsInput,
    input: { userId: 2, limit: 10, cursor: 1 },
    numbers: [
      { name: "userId", field: "userId", place: "query" },
      { name: "limit", field: "limit", place: "query" },
      { name: "cursor", field: "cursor", place: "query" },
    ],
  },
  {
    method: "GET",
    path: "/api/items/{id}",
    schema: byIdInput,
    input: { id: 1 },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "PUT",
    path: "/api/items/{id}",
    schema: updateItemInput,
    input: { id: 1, title: "Pen" },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "DELETE",
    path: "/api/items/{id}",
    schema: byIdInput,
    input: { id: 2 },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "POST",
    path: "/api/auth/tokens",
    schema: createApiTokenInput,
    input: { name: "nightly", expiresInDays: 30 },
    numbers: [{ name: "expiresInDays", field: "expiresInDays", place: "body" }],
  },
  {
    method: "DELETE",
    path: "/api/auth/tokens/{id}",
    schema: byIdInput,
    input: { id: 1 },
    numbers: [{ name: "id", field: "id", place: "path" }],
  },
  {
    method: "GET",
    path: "/api/changes",
    schema: listChangesInput,
    input: { after: 0, entityId: 2, ownerId: 2, limit: 10 },
    numbers: [
      { name: "after", field: "after", place: "query" },
      { name: "entityId", field: "entityId", place: "query" },
      { name: "ownerId", field: "ownerId", place: "query" },
      { name: "limit", field: "limit", place: "query" },
    ],
  },
  {
    method: "GET",
    path: "/api/changes/stream",
    schema: onChangeInput,
    input: { after: 1 },
    numbers: [
      { name: "after", field: "after", place: "query" },
      { name: "Last-Event-ID", field: "lastEventId", place: "header" },
    ],
  },
];

type RestNumberCall = { route: RestNumberRoute; name: string; field: string; place: Place; number: string };

const restNumberCall: fc.Arbitrary<RestNumberCall> = fc.oneof(
  ...restRoutes.flatMap((route) =>
    route.numbers.map((number) => jsonNumberText.map((text) => ({ route, ...number, number: text }))),
  ),
);

/**
 * What the server makes of the number text where it travels: a body's is JSON; a path's or a
 * query's is a number when it is digits (with a minus), else the text; a header's stays text.
 */
function parsedNumber(call: RestNumberCall): unknown {
  if (call.place === "body") return JSON.parse(call.number);
  if (call.place === "header") return call.number;
  return /^-?\d+$/.test(call.number) ? Number(call.number) : call.number;
}

type RestRequest = { method: string; url: string; headers: Record<string, string>; body?: string };

/** The request for a REST call with its number as spelled, in its place. */
function restRequest({ route, field, place, number }: RestNumberCall): RestRequest {
  const pathField = route.numbers.find((n) => n.place === "path")?.field;
  const rest = Object.entries(route.input).filter(([name]) => name !== pathField && name !== field);
  const pathValue = place === "path" ? number : String(route.input[pathField ?? ""] ?? "");
  const path = route.path.replace("{id}", encodeURIComponent(pathValue));
  const headers: Record<string, string> = place === "header" ? { "last-event-id": number } : {};
  if (route.method === "POST" || route.method === "PUT") {
    const body = Object.fromEntries(rest);
    const json = place === "body" ? jsonWithNumber(body, field, number) : JSON.stringify(body);
    return {
      method: route.method,
      url: path,
      headers: { ...headers, "content-type": "application/json" },
      body: json,
    };
  }
  const query = new URLSearchParams(Object.fromEntries(rest.map(([name, value]) => [name, String(value)])));
  if (place === "query") query.set(field, number);
  const search = query.size > 0 ? `?${query}` : "";
  return { method: route.method, url: `${path}${search}`, headers };
}

/** What a REST field refuses text with, besides numberMessage's: text in a URL, a header that is not digits. */
const restTextMessage =
  /^(Invalid input: expected number, received string|Must be a change id \(digits only\))$/;

await describeEachDatabase("every number in any JSON spelling", (dialect) => {
  it("tRPC: a number field answers 400 naming it, or as a valid input, whatever the number's spelling", async () => {
    await using server = await startTestServer({}, dialect);
    await seed(server);
    const admins = await adminCallers(server);
    const stats = statusTally(`tRPC numbers [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(numberCall, async (call) => {
        const before = await snapshotRows(server);
        const parsed = call.procedure.schema?.safeParse(call.input);
        const caller = admins.callerFor(
          parsed?.success ? namedUser(call.procedure.path, parsed.data) : undefined,
        );
        const answer = await callRawJson(server.url, call.procedure, call.json, caller.headers);
        stats.record(answer.status);
        expectJudged(call, answer.status, answer.body as TrpcAnswer);
        if (!parsed?.success || call.procedure.kind === "query")
          expect(await snapshotRows(server)).toEqual(before);
        // A valid mutation may have deleted, demoted or signed out an admin: replace it.
        else if (answer.status === 200) await admins.restore();
      }),
      { numRuns },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);

  it("tRPC batches: each call of a batch of queries or of mutations is judged on its own", async () => {
    await using server = await startTestServer({}, dialect);
    await seed(server);
    const stats = statusTally(`tRPC batched numbers [${dialect}]`);
    // Not users.update or users.delete: a valid one may end the session the rest of the batch uses.
    const batchable = numberCall.filter((call) => !/^users\.(update|delete)$/.test(call.procedure.path));
    const batch = fc.oneof(
      fc.array(
        batchable.filter((call) => call.procedure.kind === "query"),
        { minLength: 2, maxLength: 5 },
      ),
      fc.array(
        batchable.filter((call) => call.procedure.kind === "mutation"),
        { minLength: 2, maxLength: 5 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(batch, async (calls) => {
        const { status, answers } = await sendBatch(server, calls, server.adminHeaders);
        expect(status).toBeLessThan(500);
        expect(answers).toHaveLength(calls.length);
        for (const [i, call] of calls.entries()) {
          const answer = answers[i] ?? {};
          const callStatus = answer.error?.data.httpStatus ?? 200;
          stats.record(callStatus);
          expectJudged(call, callStatus, answer);
        }
      }),
      { numRuns },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);

  it("REST: a number in a path, query string, body or header answers 400 naming it, or as a valid input", async () => {
    await using server = await startTestServer({}, dialect);
    await seed(server);
    const admins = await adminCallers(server);
    const stats = statusTally(`REST numbers [${dialect}]`);
    await fc.assert(
      fc.asyncProperty(restNumberCall, async (call) => {
        const input = { ...call.route.input, [call.field]: parsedNumber(call) };
        const parsed = call.route.schema.safeParse(input);
        const named = parsed.success && call.route.path.startsWith("/api/users/{id}") ? input.id : undefined;
        const caller = admins.callerFor(typeof named === "number" ? named : undefined);
        const request = restRequest(call);
        const response = await fetch(`${server.url}${request.url}`, {
          method: request.method,
          headers: { ...caller.headers, ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        stats.record(response.status);
        const where = `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${request.body ?? ""}`;
        if (parsed.success) {
          // A resume point past the last change is a valid number but no change yet: the stream
          // refuses it with 400 before it starts (a client would otherwise reconnect with it forever).
          if (response.status === 400 && call.route.path === "/api/changes/stream") {
            const { error } = restErrorBody.parse(await response.json());
            expect(error.message, where).toMatch(/^There is no change \d+ yet/);
            return;
          }
          // The stream answers 200 and then follows, or says why it stops in an event: leave it.
          await response.body?.cancel();
          expect([200, 201, 404, 409, 412], `${where}: ${response.status}`).toContain(response.status);
          if (request.method !== "GET" && response.status < 300) await admins.restore();
          return;
        }
        const body: unknown = await response.json();
        expect(response.status, `${where}: ${JSON.stringify(body)}`).toBe(400);
        const { error } = restErrorBody.parse(body);
        expect(Object.keys(error.fieldErrors ?? {}), where).toEqual([call.name]);
        const message = error.message.slice(`${call.name}: `.length);
        expect(numberMessage.test(message) || restTextMessage.test(message), `${where}: ${message}`).toBe(
          true,
        );
      }),
      { numRuns },
    );
    await expectHealthy(server);
    stats.print();
  }, 60_000);
});
