import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/harness.ts";

const json = { "content-type": "application/json" };

/** One REST call as the test server's admin (unless `headers` says otherwise): the status and the parsed JSON body. */
async function call(
  server: TestServer,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const { body, method } = init;
  const headers = { ...server.adminHeaders, ...init.headers };
  const response = await fetch(`${server.url}${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: body === undefined ? headers : { ...json, ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
}

describe("REST API under /api", () => {
  it("creates with 201 and reads a user back with their items", async () => {
    await using server = await startTestServer();
    // User 1 is the harness's admin: Ann is 2.
    const ann = await call(server, "/api/users/", { body: { name: " Ann ", email: "ANN@example.com" } });
    expect(ann).toMatchObject({
      status: 201,
      body: { id: 2, name: "Ann", email: "ann@example.com", role: "user", items: [] },
    });

    const item = await call(server, "/api/users/2/items/", { body: { title: "Notebook" } });
    expect(item).toMatchObject({ status: 201, body: { title: "Notebook", description: null, ownerId: 2 } });

    const read = await call(server, "/api/users/2");
    expect(read).toMatchObject({ status: 200, body: { id: 2, items: [{ title: "Notebook" }] } });
  });

  it("answers with and without the trailing slash", async () => {
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    for (const path of [
      "/api/users",
      "/api/users/",
      "/api/users/1",
      "/api/users/1/",
      "/api/items",
      "/api/items/",
    ]) {
      expect((await call(server, `${path}`)).status, path).toBe(200);
    }
    expect((await call(server, `/api/users/1/items`, { body: { title: "Pen" } })).status).toBe(201);
  });

  it("pages users with limit and cursor from the query string, and searches them", async () => {
    await using server = await startTestServer();
    for (const name of ["Ann", "Bob", "Cid"]) {
      await server.client.users.create.mutate({ name, email: `${name.toLowerCase()}@example.com` });
    }
    const first = await call(server, `/api/users/?limit=2`);
    expect(first.body.items.map((user: { name: string }) => user.name)).toEqual(["Admin", "Ann"]);
    expect(first.body.nextCursor).toBe(2);
    const second = await call(server, `/api/users/?limit=2&cursor=2`);
    expect(second.body).toMatchObject({ items: [{ name: "Bob" }, { name: "Cid" }], nextCursor: null });
    const found = await call(server, `/api/users/?search=BOB`);
    expect(found.body.items).toHaveLength(1);
  });

  it("updates and deletes items, and lists a user's items", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    const put = await call(server, `/api/items/${pen.id}`, {
      method: "PUT",
      body: { description: "Blue" },
    });
    expect(put).toMatchObject({ status: 200, body: { title: "Pen", description: "Blue" } });
    expect((await call(server, `/api/items/?userId=${ann.id}`)).body.items).toHaveLength(1);
    expect(await call(server, `/api/items/${pen.id}`, { method: "DELETE" })).toEqual({
      status: 200,
      body: { id: pen.id },
    });
    expect(await server.count("items")).toBe(0);
  });

  it("answers 400 naming each failing field, and writes nothing", async () => {
    await using server = await startTestServer();
    const response = await call(server, `/api/users/`, { body: { name: "", email: "not-an-email" } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { name: [expect.any(String)], email: ["Invalid email address"] },
    });
    expect(await server.count("users")).toBe(1); // the admin alone
  });

  it("answers 400 for ids, limits and bodies that are not what the schema says", async () => {
    await using server = await startTestServer();
    const cases = [
      call(server, `/api/users/abc`),
      call(server, `/api/users/?limit=0`),
      call(server, `/api/users/?cursor=next`),
      call(server, `/api/users/`, { body: "[1, 2]" }),
      call(server, `/api/users/`, { body: "{not json" }),
      call(server, `/api/users/1`, { method: "PUT", body: {} }),
    ];
    for (const response of await Promise.all(cases)) {
      expect(response).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    }
  });

  it("names a bad path parameter as the path names it, not as the procedure does", async () => {
    await using server = await startTestServer();
    const response = await call(server, `/api/users/abc/items/`, { body: { title: "Pen" } });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.error.fieldErrors)).toEqual(["id"]);
    expect(response.body.error.message).toMatch(/^id: /);
  });

  it("answers 404 for a missing user or item, and for an unknown path", async () => {
    await using server = await startTestServer();
    expect(await call(server, `/api/users/42`)).toMatchObject({
      status: 404,
      body: { error: { code: "NOT_FOUND", message: expect.stringContaining("42") } },
    });
    expect((await call(server, `/api/users/42/items/`, { body: { title: "Pen" } })).status).toBe(404);
    expect((await call(server, `/api/items/42`, { method: "DELETE" })).status).toBe(404);
    expect(await call(server, `/api/nothing/here`)).toMatchObject({
      status: 404,
      body: { error: { code: "NOT_FOUND" } },
    });
  });

  it("answers 409 for a taken email and for a stale version, changing nothing", async () => {
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const taken = await call(server, `/api/users/`, {
      body: { name: "Ann 2", email: "ANN@example.com" },
    });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });

    expect(
      (await call(server, `/api/users/2`, { method: "PUT", body: { name: "B", version: 1 } })).status,
    ).toBe(200);
    const stale = await call(server, `/api/users/2`, { method: "PUT", body: { name: "C", version: 1 } });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });
    expect(await server.client.users.byId.query({ id: 2 })).toMatchObject({ name: "B", version: 2 });
  });

  it("answers 415 to a body that is not JSON, before anything runs", async () => {
    await using server = await startTestServer();
    const form = await call(server, `/api/users/`, {
      body: "name=Eve&email=eve%40example.com",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form).toMatchObject({ status: 415, body: { error: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    const text = await call(server, `/api/users/1`, {
      method: "PUT",
      body: '{"name":"Eve"}',
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    expect(await server.count("users")).toBe(1); // the admin alone
  });

  it("answers 413 to a body over 1 MB", async () => {
    await using server = await startTestServer();
    const response = await call(server, `/api/users/`, {
      body: { name: "Ann", email: "ann@example.com", padding: "x".repeat(1024 * 1024) },
    });
    expect(response).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE" } } });
    expect(await server.count("users")).toBe(1); // the admin alone
  });

  it("deletes a user with their items", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    expect(await call(server, `/api/users/${ann.id}/`, { method: "DELETE" })).toEqual({
      status: 200,
      body: { id: ann.id },
    });
    expect([await server.count("users"), await server.count("items")]).toEqual([1, 0]); // the admin remains
  });

  it("answers 405 with Allow for a known path asked with another method, 404 for an unknown path", async () => {
    await using server = await startTestServer();
    const patch = await fetch(`${server.url}/api/users/1`, { method: "PATCH" });
    expect(patch.status).toBe(405);
    expect(patch.headers.get("allow")).toBe("GET, PUT, DELETE");
    expect(await patch.json()).toMatchObject({ error: { code: "METHOD_NOT_SUPPORTED" } });
    expect(
      (
        await fetch(`${server.url}/api/items/7`, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(405);
    expect((await fetch(`${server.url}/api/nothing/here`)).status).toBe(404);
    // A collection's path, with or without its slash, is the same path: PUT and DELETE are 405
    // there (the slash once matched `/users/:id` with an empty id and answered 400).
    for (const url of ["/api/users", "/api/users/"]) {
      const response = await fetch(`${server.url}${url}`, { method: "DELETE" });
      expect({ url, status: response.status, allow: response.headers.get("allow") }).toEqual({
        url,
        status: 405,
        allow: "POST, GET",
      });
    }
    expect(
      (
        await fetch(`${server.url}/api/items/`, {
          method: "PUT",
          body: "{}",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(405);
  });
});
