import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testAdmin } from "./support/harness.ts";
import { startReference } from "./support/trpc-route-alone.ts";

/** One request; `headers` replace the admin's bearer token that every call carries by default. */
type Call = {
  method: "GET" | "POST";
  path: string;
  query?: string;
  body?: string;
  headers?: Record<string, string>;
};
type Answer = {
  status: number;
  contentType: string | null;
  vary: string | null;
  /** Set-Cookie headers, the token in each replaced by `<token>` (two sign-ins differ only there). */
  cookies: string[];
  retryAfter: string | null;
  body: unknown;
};

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

/** A call with other credentials (or none: `{}`) than the admin's bearer token. */
const as = (headers: Record<string, string>, call: Call): Call => ({ ...call, headers });

/**
 * Sends `call` to `base`, with the Authorization header of `server`'s admin unless the call names
 * its own headers: the direct path and the reference see the same credential, on the same database.
 */
async function send(server: TestServer, base: string, call: Call): Promise<Answer> {
  const headers = {
    ...(call.headers ?? server.adminHeaders),
    ...(call.method === "POST" && { "content-type": "application/json" }),
  };
  const response = await fetch(`${base}/trpc/${call.path}${call.query ? `?${call.query}` : ""}`, {
    method: call.method,
    headers,
    ...(call.method === "POST" && { body: call.body ?? "" }),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    cookies: response.headers.getSetCookie().map((cookie) => cookie.replace(/^sid=[^;]+/, "sid=<token>")),
    retryAfter: response.headers.get("retry-after"),
    body: await response.json(),
  };
}

/** Ids, owners, emails, timestamps and tokens differ between two creates; the shape and everything else must not. */
function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      ["id", "ownerId", "email", "createdAt", "updatedAt", "token"].includes(key)
        ? typeof field
        : normalised(field),
    ]),
  );
}

describe("tRPC calls answered directly", () => {
  it("answer reads and failed calls exactly as tRPC's resolver does", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    // A second account, not an admin, and the admin's session as a browser sends it.
    const bea = await server.signUp("Bea");
    const beaHeaders = { authorization: `Bearer ${bea.token}` };
    const cookie = `sid=${server.adminToken}`;
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
      // Accounts: who may call what is decided alike on both paths.
      get("auth.me"),
      get("auth.tokens.list"),
      as({ cookie }, get("auth.me")),
      as({}, get("users.byId", { id: ann.id })),
      as({}, get("auth.me")),
      as({}, post("users.create", { name: "Anon", email: "anon@example.com" })),
      as({}, getBatch(["health", "users.byId"], { 1: { id: ann.id } })),
      as({ authorization: "Bearer uis_not-a-session" }, get("auth.me")),
      as({ authorization: "Basic YWRtaW46YWRtaW4=" }, get("auth.me")),
      as({ authorization: "Bearer uis_not-a-session", cookie }, get("auth.me")),
      as(beaHeaders, get("auth.me")),
      as(beaHeaders, get("users.byId", { id: ann.id })),
      as(beaHeaders, get("users.list")),
      as(beaHeaders, get("items.list")),
      as(beaHeaders, get("items.list", { userId: ann.id })),
      as(beaHeaders, get("items.byId", { id: pen.id })),
      as(beaHeaders, post("users.create", { name: "Cy", email: "cy@example.com" })),
      as(beaHeaders, post("users.update", { id: bea.user.id, role: "admin" })),
      as(beaHeaders, post("items.update", { id: pen.id, title: "Mine" })),
      as(
        beaHeaders,
        post("auth.changePassword", { currentPassword: "wrong password", newPassword: "a new password" }),
      ),
      as({ cookie, origin: "https://evil.example" }, post("users.delete", { id: ann.id })),
      as({ ...server.adminHeaders, origin: "https://evil.example" }, post("users.delete", { id: 42 })),
      as({}, post("auth.signIn", { email: testAdmin.email, password: "not the password" })),
      as({}, post("auth.signIn", { email: "nobody@example.com", password: "any password" })),
      as({}, post("auth.signIn", { email: "not-an-email", password: "" })),
      as({}, post("auth.signUp", { name: "Dup", email: "ann@example.com", password: "short" })),
      as({}, post("auth.signUp", { name: "Dup", email: "ANN@example.com", password: "long enough" })),
    ];
    for (const call of calls) {
      const [direct, resolved] = [
        await send(server, server.url, call),
        await send(server, reference.url, call),
      ];
      expect({ call, ...direct }).toEqual({ call, ...resolved });
    }
    // None of those failures changed anything: the admin (user 1), Ann and Bea, as they were.
    expect(await server.client.users.byId.query({ id: ann.id })).toMatchObject({ name: "Ann", version: 1 });
    expect(await server.client.items.byId.query({ id: pen.id })).toEqual(pen);
    expect(await server.count("users")).toBe(3);
  });

  it("answer successful mutations, alone and batched, as tRPC's resolver does", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    // One database: the admin is user 1, so the direct path's Ann is user 2 and the reference's 3.
    const pairs: [Call, Call][] = [
      [
        post("users.create", { name: "Ann", email: "a1@example.com" }),
        post("users.create", { name: "Ann", email: "a2@example.com" }),
      ],
      [post("items.create", { userId: 2, title: "Pen" }), post("items.create", { userId: 3, title: "Pen" })],
      [
        post("users.update", { id: 2, name: "Ann Lee", version: 1 }),
        post("users.update", { id: 3, name: "Ann Lee", version: 1 }),
      ],
      [
        postBatch(["users.create", "items.create"], {
          0: { name: "Bob", email: "b1@example.com" },
          1: { userId: 2, title: "Cup" },
        }),
        postBatch(["users.create", "items.create"], {
          0: { name: "Bob", email: "b2@example.com" },
          1: { userId: 3, title: "Cup" },
        }),
      ],
      [post("items.delete", { id: 1 }), post("items.delete", { id: 2 })],
      // The caller's own: no userId.
      [post("items.create", { title: "Mug" }), post("items.create", { title: "Mug" })],
      // Both set the session cookie, alike.
      [as({}, post("auth.signIn", testAdmin)), as({}, post("auth.signIn", testAdmin))],
      [
        as({}, post("auth.signUp", { name: "Cy", email: "c1@example.com", password: "Cy password" })),
        as({}, post("auth.signUp", { name: "Cy", email: "c2@example.com", password: "Cy password" })),
      ],
    ];
    for (const [directCall, referenceCall] of pairs) {
      const [direct, resolved] = [
        await send(server, server.url, directCall),
        await send(server, reference.url, referenceCall),
      ];
      expect(direct.status).toBe(200);
      if (directCall.path.startsWith("auth.")) {
        expect(direct.cookies).toEqual([expect.stringMatching(/^sid=<token>; .*HttpOnly/)]);
      }
      expect({ ...direct, body: normalised(direct.body) }).toEqual({
        ...resolved,
        body: normalised(resolved.body),
      });
    }
    expect(await server.count("users")).toBe(7); // the admin, two Anns, two Bobs, two Cys
  });

  it("answer a throttled sign-in as tRPC's resolver does: 429 with Retry-After", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const wrong = { email: testAdmin.email, password: "not the password" };
    for (let i = 0; i < 5; i++) {
      await expect(server.anonymous.auth.signIn.mutate(wrong)).rejects.toMatchObject({
        data: { code: "UNAUTHORIZED" },
      });
    }
    const call = as({}, post("auth.signIn", testAdmin));
    const [direct, resolved] = [
      await send(server, server.url, call),
      await send(server, reference.url, call),
    ];
    expect(direct).toMatchObject({ status: 429, retryAfter: expect.stringMatching(/^\d+$/) });
    // The seconds left may tick between the two requests: compared apart, within one.
    const seconds = (answer: Answer) => Number(answer.retryAfter);
    expect(Math.abs(seconds(direct) - seconds(resolved))).toBeLessThanOrEqual(1);
    expect(seconds(direct)).toBeGreaterThan(800);
    expect(seconds(direct)).toBeLessThanOrEqual(900);
    const withoutSeconds = (answer: Answer) =>
      JSON.parse(
        JSON.stringify({ ...answer, retryAfter: null }).replace(/in \d+ seconds/, "in N seconds"),
      ) as unknown;
    expect(withoutSeconds(direct)).toEqual(withoutSeconds(resolved));
    expect(direct.body).toMatchObject({ error: { data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } } });
  });

  it("leave other requests to the resolver: wrong methods, unknown paths, malformed input", async () => {
    await using server = await startTestServer();
    const answers = await Promise.all([
      send(server, server.url, {
        method: "GET",
        path: "users.delete",
        query: `input=${encodeURIComponent('{"id":1}')}`,
      }),
      send(server, server.url, { method: "POST", path: "users.byId", body: '{"id":1}' }),
      send(server, server.url, { method: "GET", path: "users.nope" }),
      send(server, server.url, { method: "GET", path: "users.byId", query: "input=%7Bnot-json" }),
      send(server, server.url, { method: "POST", path: "users.create", body: "{not-json" }),
      send(server, server.url, { method: "GET", path: "health,health", query: "input=%7B%7D" }),
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
