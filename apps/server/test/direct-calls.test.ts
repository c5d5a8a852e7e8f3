import { defaultAuthSettings } from "@app/api";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { trpcRoute } from "../src/transport/trpc-route.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";

type Call = { method: "GET" | "POST"; path: string; query?: string; body?: string };
type Answer = { status: number; contentType: string | null; vary: string | null; body: unknown };

const json = (value: unknown) => JSON.stringify(value);
const get = (path: string, input?: unknown): Call => ({
  method: "GET",
  path,
  ...(input !== undefined && { query: `input=${encodeURIComponent(json(input))}` }),
});
const getBatch = (paths: string[], inputs: Record<number, unknown>): Call => ({
  method: "GET",
  path: paths.join(","),
  query: `batch=1&input=${encodeURIComponent(json(inputs))}`,
});
const post = (path: string, input?: unknown): Call => ({
  method: "POST",
  path,
  ...(input !== undefined && { body: json(input) }),
});
const postBatch = (paths: string[], inputs: Record<number, unknown>): Call => ({
  method: "POST",
  path: paths.join(","),
  query: "batch=1",
  body: json(inputs),
});

async function send(base: string, call: Call): Promise<Answer> {
  const response = await fetch(`${base}/trpc/${call.path}${call.query ? `?${call.query}` : ""}`, {
    method: call.method,
    ...(call.method === "POST" && { headers: { "content-type": "application/json" }, body: call.body ?? "" }),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    body: await response.json(),
  };
}

/**
 * The same tRPC route with the direct path turned off, on the test server's database: every
 * request through tRPC's resolver, the reference the direct path must match.
 */
async function startReference(server: TestServer) {
  const app = Fastify();
  await app.register(trpcRoute, {
    orm: server.orm,
    exposeErrors: false,
    maxBatchSize: 10,
    auth: defaultAuthSettings,
    allowedOrigins: new Set<string>(),
    directCalls: false,
  });
  const address = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: address, [Symbol.asyncDispose]: () => app.close() };
}

/** Ids, owners, emails and timestamps differ between two creates; the shape and everything else must not. */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      ["id", "ownerId", "email", "createdAt", "updatedAt"].includes(key) ? typeof field : normalised(field),
    ]),
  );
}

describe("tRPC calls answered directly", () => {
  it("answer reads and failed calls exactly as tRPC's resolver does", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    const calls: Call[] = [
      get("users.byId", { id: ann.id }),
      get("users.byId", { id: 42 }),
      get("users.byId", { id: -1 }),
      get("users.byId"),
      get("users.list"),
      get("users.list", { limit: 5, withItems: true, search: "AN" }),
      get("items.list", { userId: ann.id }),
      get("items.byId", { id: pen.id }),
      get("health"),
      getBatch(["users.byId", "users.list", "health"], { 0: { id: ann.id }, 1: { limit: 1 } }),
      getBatch(["users.byId", "users.byId"], { 0: { id: ann.id }, 1: { id: 42 } }),
      getBatch(["users.byId", "items.byId"], { 0: { id: 41 }, 1: { id: 42 } }),
      post("users.create", { name: "Again", email: "ANN@example.com" }),
      post("users.create", { name: "", email: "not-an-email" }),
      post("users.create"),
      post("users.update", { id: 42, name: "Nobody" }),
      post("users.update", { id: ann.id, name: "Stale", version: 7 }),
      post("users.update", { id: ann.id }),
      post("users.delete", { id: 42 }),
      post("items.create", { userId: 42, title: "Orphan" }),
      post("items.update", { id: pen.id, title: "" }),
      postBatch(["users.create", "users.delete"], {
        0: { name: "Dup", email: "ann@example.com" },
        1: { id: 42 },
      }),
      postBatch(["users.delete", "items.delete"], { 0: { id: 41 }, 1: { id: 42 } }),
      // A batch's input must be an object keyed by index: tRPC refuses an array, null or a number.
      {
        method: "POST",
        path: "users.create",
        query: "batch=1",
        body: json([{ name: "Arr", email: "arr@example.com" }]),
      },
      {
        method: "GET",
        path: "users.byId,users.byId",
        query: `batch=1&input=${encodeURIComponent(json([{ id: ann.id }]))}`,
      },
      { method: "GET", path: "users.list", query: "batch=1&input=null" },
      { method: "GET", path: "users.list", query: "batch=1&input=5" },
      // Parameters read twice or unknown to the fast path: tRPC reads the first, or refuses.
      {
        method: "GET",
        path: "users.byId",
        query: `batch=1&batch=1&input=${encodeURIComponent(json({ 0: { id: ann.id } }))}`,
      },
      {
        method: "POST",
        path: "users.create",
        query: "batch=1&batch=1",
        body: json({ name: "Twice", email: "twice@example.com" }),
      },
      { method: "GET", path: "users.list", query: "connectionParams=x" },
    ];
    for (const call of calls) {
      const [direct, resolved] = [await send(server.url, call), await send(reference.url, call)];
      expect({ call, ...direct }).toEqual({ call, ...resolved });
    }
    // None of those failures changed anything.
    expect(await server.client.users.byId.query({ id: ann.id })).toMatchObject({ name: "Ann", version: 1 });
    expect(await server.count("users")).toBe(1);
  });

  it("answer successful mutations, alone and batched, as tRPC's resolver does", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const pairs: [Call, Call][] = [
      [
        post("users.create", { name: "Ann", email: "a1@example.com" }),
        post("users.create", { name: "Ann", email: "a2@example.com" }),
      ],
      [post("items.create", { userId: 1, title: "Pen" }), post("items.create", { userId: 2, title: "Pen" })],
      [
        post("users.update", { id: 1, name: "Ann Lee", version: 1 }),
        post("users.update", { id: 2, name: "Ann Lee", version: 1 }),
      ],
      [
        postBatch(["users.create", "items.create"], {
          0: { name: "Bob", email: "b1@example.com" },
          1: { userId: 1, title: "Cup" },
        }),
        postBatch(["users.create", "items.create"], {
          0: { name: "Bob", email: "b2@example.com" },
          1: { userId: 2, title: "Cup" },
        }),
      ],
      [post("items.delete", { id: 1 }), post("items.delete", { id: 2 })],
    ];
    for (const [directCall, referenceCall] of pairs) {
      const [direct, resolved] = [
        await send(server.url, directCall),
        await send(reference.url, referenceCall),
      ];
      expect(direct.status).toBe(200);
      expect({ ...direct, body: normalised(direct.body) }).toEqual({
        ...resolved,
        body: normalised(resolved.body),
      });
    }
    expect(await server.count("users")).toBe(4);
  });

  it("leave other requests to the resolver: wrong methods, unknown paths, malformed input", async () => {
    await using server = await startTestServer();
    const answers = await Promise.all([
      send(server.url, {
        method: "GET",
        path: "users.delete",
        query: `input=${encodeURIComponent('{"id":1}')}`,
      }),
      send(server.url, { method: "POST", path: "users.byId", body: '{"id":1}' }),
      send(server.url, { method: "GET", path: "users.nope" }),
      send(server.url, { method: "GET", path: "users.byId", query: "input=%7Bnot-json" }),
      send(server.url, { method: "POST", path: "users.create", body: "{not-json" }),
      send(server.url, { method: "GET", path: "health,health", query: "input=%7B%7D" }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([405, 405, 404, 400, 400, 404]);
    expect(
      answers.map((answer) => (answer.body as { error: { data: { code: string } } }).error.data.code),
    ).toEqual([
      "METHOD_NOT_SUPPORTED",
      "METHOD_NOT_SUPPORTED",
      "NOT_FOUND",
      "BAD_REQUEST",
      "BAD_REQUEST",
      "NOT_FOUND", // several paths without batch=1: read as one path that does not exist
    ]);
  });
});
