import { describeEachDatabase } from "@app/db/testing";
import { expect, it } from "vitest";
import { restErrorBody } from "../src/transport/rest/errors.ts";
import { seed } from "./support/fuzz-run.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";
import { callRaw, callRawJson, errorBody, type ProcedureSpec, type RawAnswer } from "./support/raw-calls.ts";

// Issue 17: PostgreSQL's `int` columns (and MariaDB's signed ones) hold at most 2147483647. A larger
// id, userId or cursor went through validation to the database, which refused it with a 500 on
// PostgreSQL (and MariaDB, for items.create), while SQLite took it. Every number a caller sends is
// now bounded in the schemas: one above the largest is a 400 saying so, the largest itself is valid.

const largest = 2_147_483_647;
const atMost = `Must be at most ${largest}`;
/** Numbers no id takes because they are too big; JSON carries every one of them. */
const tooBigNumbers = [largest + 1, 4_294_967_296, Number.MAX_SAFE_INTEGER + 2, 1e21, 1e308];
const timeout = 60_000;

type TrpcCase = {
  path: string;
  kind: "query" | "mutation";
  field: string;
  input: (n: number) => Record<string, unknown>;
  /** What the same call answers with the largest id every database stores. */
  inRange: number;
};

/** Every procedure that takes a number, with the field that carries it (users 2 and 3 and items 1 to 4 exist). */
const trpcCases: TrpcCase[] = [
  { path: "users.byId", kind: "query", field: "id", input: (id) => ({ id }), inRange: 404 },
  { path: "users.list", kind: "query", field: "cursor", input: (cursor) => ({ cursor }), inRange: 200 },
  { path: "users.update", kind: "mutation", field: "id", input: (id) => ({ id, name: "Ann" }), inRange: 404 },
  {
    path: "users.update",
    kind: "mutation",
    field: "version",
    input: (version) => ({ id: 2, name: "Ann", version }),
    inRange: 409,
  },
  { path: "users.delete", kind: "mutation", field: "id", input: (id) => ({ id }), inRange: 404 },
  { path: "items.byId", kind: "query", field: "id", input: (id) => ({ id }), inRange: 404 },
  { path: "items.list", kind: "query", field: "cursor", input: (cursor) => ({ cursor }), inRange: 200 },
  { path: "items.list", kind: "query", field: "userId", input: (userId) => ({ userId }), inRange: 404 },
  {
    path: "items.create",
    kind: "mutation",
    field: "userId",
    input: (userId) => ({ userId, title: "Pen" }),
    inRange: 404,
  },
  {
    path: "items.update",
    kind: "mutation",
    field: "id",
    input: (id) => ({ id, title: "Pen" }),
    inRange: 404,
  },
  { path: "items.delete", kind: "mutation", field: "id", input: (id) => ({ id }), inRange: 404 },
  { path: "auth.tokens.revoke", kind: "mutation", field: "id", input: (id) => ({ id }), inRange: 404 },
  { path: "changes.list", kind: "query", field: "after", input: (after) => ({ after }), inRange: 200 },
  {
    path: "changes.list",
    kind: "query",
    field: "entityId",
    input: (entityId) => ({ entityId }),
    inRange: 200,
  },
  { path: "changes.list", kind: "query", field: "ownerId", input: (ownerId) => ({ ownerId }), inRange: 200 },
];

/** A REST call with a number, as its JSON or URL text, in one place. */
type RestCase = {
  method: "GET" | "PUT" | "POST" | "DELETE";
  path: (n: string) => string;
  /** The JSON body, as text. */
  body?: (n: string) => string;
  /** The field the error names, as the REST caller named it. */
  field: string;
  inRange: number;
};

const restCases: RestCase[] = [
  { method: "GET", path: (id) => `/api/users/${id}`, field: "id", inRange: 404 },
  {
    method: "PUT",
    path: (id) => `/api/users/${id}`,
    body: () => `{"name":"Ann"}`,
    field: "id",
    inRange: 404,
  },
  {
    method: "PUT",
    path: () => "/api/users/2",
    body: (version) => `{"name":"Ann","version":${version}}`,
    field: "version",
    inRange: 409,
  },
  { method: "DELETE", path: (id) => `/api/users/${id}`, field: "id", inRange: 404 },
  {
    method: "POST",
    path: (id) => `/api/users/${id}/items/`,
    body: () => `{"title":"Pen"}`,
    field: "id",
    inRange: 404,
  },
  { method: "GET", path: (cursor) => `/api/users/?cursor=${cursor}`, field: "cursor", inRange: 200 },
  { method: "GET", path: (id) => `/api/items/${id}`, field: "id", inRange: 404 },
  {
    method: "PUT",
    path: (id) => `/api/items/${id}`,
    body: () => `{"title":"Pen"}`,
    field: "id",
    inRange: 404,
  },
  { method: "DELETE", path: (id) => `/api/items/${id}`, field: "id", inRange: 404 },
  { method: "GET", path: (userId) => `/api/items/?userId=${userId}`, field: "userId", inRange: 404 },
  { method: "GET", path: (cursor) => `/api/items/?cursor=${cursor}`, field: "cursor", inRange: 200 },
  { method: "DELETE", path: (id) => `/api/auth/tokens/${id}`, field: "id", inRange: 404 },
  { method: "GET", path: (after) => `/api/changes?after=${after}`, field: "after", inRange: 200 },
  { method: "GET", path: (id) => `/api/changes?entityId=${id}`, field: "entityId", inRange: 200 },
  { method: "GET", path: (id) => `/api/changes?ownerId=${id}`, field: "ownerId", inRange: 200 },
];

const spec = (c: TrpcCase): ProcedureSpec => ({ path: c.path, kind: c.kind, schema: null });
const label = (answer: RawAnswer) => `${answer.status} ${JSON.stringify(answer.body)}`;

/** A 400 whose message and field errors say that `field` is too big, and nothing else. */
function expectTooBig(answer: RawAnswer, field: string): void {
  expect(answer.status, label(answer)).toBe(400);
  const error = errorBody(answer);
  expect(error.message).toBe(`${field}: ${atMost}`);
  expect(error.data.zodError?.fieldErrors).toEqual({ [field]: [atMost] });
}

async function rest(server: TestServer, c: RestCase, n: string) {
  const response = await server.fetchAsAdmin(c.path(n), {
    method: c.method,
    ...(c.body ? { headers: { "content-type": "application/json" }, body: c.body(n) } : {}),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** A batched tRPC query as the client's batch link sends it: paths joined by commas, inputs by index. */
async function batchedQuery(server: TestServer, calls: [string, unknown][]): Promise<Response> {
  const paths = calls.map(([path]) => path).join(",");
  const inputs = Object.fromEntries(calls.map(([, input], i) => [i, input]));
  const query = `batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  return server.fetchAsAdmin(`/trpc/${paths}?${query}`);
}

type BatchedAnswer = { error?: { message: string; data: { code: string; httpStatus: number } } }[];

await describeEachDatabase("numbers beyond what every database stores", (dialect) => {
  it(
    "tRPC: each id, userId, cursor, version and change id above 2147483647 is a 400 saying so; 2147483647 is valid",
    async () => {
      await using server = await startTestServer({}, dialect);
      await seed(server);
      for (const c of trpcCases) {
        for (const n of tooBigNumbers) {
          expectTooBig(await callRaw(server.url, spec(c), c.input(n), server.adminHeaders), c.field);
        }
        const answer = await callRaw(server.url, spec(c), c.input(largest), server.adminHeaders);
        expect(answer.status, `${c.path} ${c.field}: ${label(answer)}`).toBe(c.inRange);
      }
      expect(await server.count("items")).toBe(4);
    },
    timeout,
  );

  it(
    "tRPC: numbers spelled with exponents, fractions, a minus zero or a hundred digits are judged by their value",
    async () => {
      await using server = await startTestServer({}, dialect);
      const byId: ProcedureSpec = { path: "users.byId", kind: "query", schema: null };
      const create: ProcedureSpec = { path: "items.create", kind: "mutation", schema: null };
      for (const [number, status, message] of [
        ["2.147483648e9", 400, atMost],
        ["21474836480E-1", 400, atMost],
        ["1e308", 400, atMost],
        ["9".repeat(100), 400, atMost],
        ["1E400", 400, "Invalid input: expected number, received Infinity"],
        ["-0", 400, "Must be at least 1"],
        ["-1e308", 400, "Must be at least 1"],
        ["2147483647.5", 400, "Invalid input: expected int, received number"],
        ["2.147483647e9", 404, undefined],
        ["1e3", 404, undefined],
        ["1.0", 200, undefined],
      ] as const) {
        const query = await callRawJson(server.url, byId, `{"id":${number}}`, server.adminHeaders);
        expect(query.status, `users.byId ${number}: ${label(query)}`).toBe(status);
        if (message) expect(errorBody(query).message).toBe(`id: ${message}`);
        const json = `{"userId":${number},"title":"Pen"}`;
        const mutation = await callRawJson(server.url, create, json, server.adminHeaders);
        expect(mutation.status, `items.create ${number}: ${label(mutation)}`).toBe(status);
        if (message) expect(errorBody(mutation).message).toBe(`userId: ${message}`);
      }
    },
    timeout,
  );

  it(
    "tRPC: a batch answers each call that carries a too-big number with its own 400, the others as usual",
    async () => {
      await using server = await startTestServer({}, dialect);
      await seed(server);
      const all = await batchedQuery(server, [
        ["users.byId", { id: largest + 1 }],
        ["items.list", { cursor: largest + 1 }],
        ["changes.list", { after: largest + 1, entityId: largest + 1 }],
      ]);
      expect(all.status).toBe(400);
      const allBody = (await all.json()) as BatchedAnswer;
      expect(allBody.map((answer) => answer.error?.message)).toEqual([
        `id: ${atMost}`,
        `cursor: ${atMost}`,
        `after: ${atMost}; entityId: ${atMost}`,
      ]);

      const mixed = await batchedQuery(server, [
        ["users.byId", { id: largest + 1 }],
        ["users.byId", { id: largest }],
        ["users.byId", { id: 2 }],
      ]);
      expect(mixed.status).toBe(207);
      const mixedBody = (await mixed.json()) as BatchedAnswer;
      expect(mixedBody.map((answer) => answer.error?.data.httpStatus ?? 200)).toEqual([400, 404, 200]);

      const mutations = await server.fetchAsAdmin("/trpc/items.create,users.delete,items.delete?batch=1", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          0: { userId: largest + 1, title: "Pen" },
          1: { id: largest + 1 },
          2: { id: 1e308 },
        }),
      });
      expect(mutations.status).toBe(400);
      const mutationsBody = (await mutations.json()) as BatchedAnswer;
      expect(mutationsBody.map((answer) => answer.error?.message)).toEqual([
        `userId: ${atMost}`,
        `id: ${atMost}`,
        `id: ${atMost}`,
      ]);
      expect(await server.count("users")).toBe(3);
      expect(await server.count("items")).toBe(4);
    },
    timeout,
  );

  it(
    "REST: path parameters, query strings and bodies above 2147483647 are a 400 naming the field; 2147483647 is valid",
    async () => {
      await using server = await startTestServer({}, dialect);
      await seed(server);
      // 99…9 (25 digits) is read as 1e25: still a number, and far too big.
      for (const c of restCases) {
        for (const n of [String(largest + 1), "9007199254740993", "9".repeat(25)]) {
          const answer = await rest(server, c, n);
          const where = `${c.method} ${c.path(n)}: ${label(answer)}`;
          expect(answer.status, where).toBe(400);
          const { error } = restErrorBody.parse(answer.body);
          expect(error.message, where).toBe(`${c.field}: ${atMost}`);
          expect(error.fieldErrors, where).toEqual({ [c.field]: [atMost] });
        }
        const answer = await rest(server, c, String(largest));
        expect(answer.status, `${c.method} ${c.path(String(largest))}: ${label(answer)}`).toBe(c.inRange);
      }
      // A body's number in exponent notation is judged by its value; in a URL, only digits are a number.
      const version = restCases.find((c) => c.field === "version");
      if (!version) throw new Error("no version case");
      const exponent = await rest(server, version, "2.147483648e9");
      expect(restErrorBody.parse(exponent.body).error.fieldErrors).toEqual({ version: [atMost] });
      for (const query of ["cursor=3e9", "cursor=0x80000000", "userId=2147483648.0"]) {
        const answer = await server.fetchAsAdmin(`/api/items/?${query}`);
        expect(answer.status, query).toBe(400);
        const { error } = restErrorBody.parse(await answer.json());
        expect(error.message, query).toMatch(
          /^(cursor|userId): Invalid input: expected number, received string$/,
        );
      }
      expect(await server.count("items")).toBe(4);
    },
    timeout,
  );

  it(
    "REST: the change stream refuses a too-big ?after= or Last-Event-ID with a 400 before it opens",
    async () => {
      await using server = await startTestServer({}, dialect);
      for (const [query, lastEventId, field] of [
        [`?after=${largest + 1}`, undefined, "after"],
        [`?after=${"9".repeat(30)}`, undefined, "after"],
        ["", String(largest + 1), "Last-Event-ID"],
        ["", "999999999999999", "Last-Event-ID"],
        ["?after=1", "4294967296", "Last-Event-ID"],
      ] as const) {
        const headers: Record<string, string> =
          lastEventId === undefined ? {} : { "last-event-id": lastEventId };
        const response = await server.fetchAsAdmin(`/api/changes/stream${query}`, { headers });
        const where = `${query} ${lastEventId ?? ""}`;
        expect(response.status, where).toBe(400);
        expect(response.headers.get("content-type"), where).toMatch(/^application\/json/);
        const { error } = restErrorBody.parse(await response.json());
        expect(error.fieldErrors, where).toEqual({ [field]: [atMost] });
      }
    },
    timeout,
  );

  it(
    "tRPC: the change subscription refuses a too-big after or lastEventId with a BAD_REQUEST event",
    async () => {
      await using server = await startTestServer({}, dialect);
      for (const [input, field] of [
        [{ after: largest + 1 }, "after"],
        [{ lastEventId: String(largest + 1) }, "lastEventId"],
        [{ lastEventId: "999999999999999" }, "lastEventId"],
      ] as const) {
        // tRPC's server-sent events answer 200 and say an error as an event, whatever it is.
        const query = `input=${encodeURIComponent(JSON.stringify(input))}`;
        const response = await server.fetchAsAdmin(`/trpc/changes.onChange?${query}`);
        const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
        if (!reader) throw new Error("no body");
        let text = "";
        while (!text.includes("event: serialized-error\ndata: ")) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
        }
        await reader.cancel();
        const data = text.split("event: serialized-error\ndata: ")[1]?.split("\n")[0] ?? "null";
        expect(JSON.parse(data), field).toMatchObject({
          message: `${field}: ${atMost}`,
          data: { code: "BAD_REQUEST", httpStatus: 400 },
        });
      }
    },
    timeout,
  );
});
