import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/harness.ts";

/**
 * POSTs `size` bytes in chunks and resolves with the status as soon as the server answers,
 * which fastify does (413) before the whole body has been sent.
 */
function postLargeBody(
  url: string,
  size: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(size), ...headers },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may close the socket while we are still writing: that is expected here.
    req.on("error", (error) => setTimeout(() => reject(error), 500));
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    const writeMore = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

// Every request is the admin's, so a refusal is the transport's own, not a 401 for a missing
// account; "changes nothing" means the admin (user 1, made at start-up) is still the only user.
describe("HTTP transport limits", () => {
  it("answers 413 to a body over 1 MB without waiting for all of it, in each surface's error shape", async () => {
    await using server = await startTestServer();
    const trpc = await postLargeBody(`${server.url}/trpc/users.create`, 8 * 1024 * 1024, server.adminHeaders);
    expect(trpc.status).toBe(413);
    // tRPC's shape, which its clients read as `error.data.code`.
    expect(JSON.parse(trpc.body)).toMatchObject({
      error: { data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } },
    });
    const rest = await postLargeBody(`${server.url}/api/users/`, 8 * 1024 * 1024, server.adminHeaders);
    expect(rest.status).toBe(413);
    expect(JSON.parse(rest.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(await server.count("users")).toBe(1);
  });

  it.each([
    [
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nEve\r\n--x--\r\n',
    ],
    ["application/x-www-form-urlencoded", "name=Eve&email=eve%40example.com"],
    ["text/plain", '{"name":"Eve","email":"eve@example.com"}'],
  ])("refuses a %s mutation with 415 and changes nothing", async (contentType, body) => {
    await using server = await startTestServer();
    const response = await server.fetchAsAdmin("/trpc/users.create", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { data: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    expect(await server.count("users")).toBe(1);
  });

  it("refuses a body that is not UTF-8 with 400 on both surfaces, instead of storing U+FFFD", async () => {
    await using server = await startTestServer();
    const body = Buffer.concat([
      Buffer.from('{"name":"Bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('","email":"bad@example.com"}'),
    ]);
    const headers = { "content-type": "application/json", ...server.adminHeaders };
    const trpc = await fetch(`${server.url}/trpc/users.create`, { method: "POST", headers, body });
    expect(trpc.status).toBe(400);
    expect(await trpc.json()).toMatchObject({
      error: { message: "The body is not valid UTF-8", data: { code: "BAD_REQUEST" } },
    });
    const rest = await fetch(`${server.url}/api/users/`, { method: "POST", headers, body });
    expect(rest.status).toBe(400);
    expect(await rest.json()).toMatchObject({
      error: { code: "BAD_REQUEST", message: "The body is not valid UTF-8" },
    });
    expect(await server.count("users")).toBe(1);
  });

  it("answers 405 to a GET on a mutation, and to other methods, in tRPC's shape", async () => {
    await using server = await startTestServer();
    const input = encodeURIComponent(JSON.stringify({ name: "Eve", email: "eve@example.com" }));
    const response = await server.fetchAsAdmin(`/trpc/users.create?input=${input}`);
    expect(response.status).toBe(405);
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const other = await server.fetchAsAdmin("/trpc/users.create", {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Eve", email: "eve@example.com" }),
      });
      expect({ method, status: other.status }).toEqual({ method, status: 405 });
      expect(await other.json()).toMatchObject({ error: { data: { code: "METHOD_NOT_SUPPORTED" } } });
    }
    expect(await server.count("users")).toBe(1);
  });

  it("refuses a batch larger than the limit with 400, and accepts one at the limit", async () => {
    await using server = await startTestServer({ MAX_BATCH_SIZE: "10" });
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => "health").join(",");
      return fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`);
    };
    expect((await batch(10)).status).toBe(200);
    expect((await batch(11)).status).toBe(400);
  });

  it("hides an unexpected error's message and stack in production, and tags it with a request id", async () => {
    await using server = await startTestServer({ NODE_ENV: "production" });
    await server.orm.em.fork().execute("drop table items");
    const response = await server.fetchAsAdmin("/trpc/items.list", {
      headers: { "x-request-id": "trace-42" },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get("x-request-id")).toBe("trace-42");
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({
      error: { message: "Internal server error", data: { code: "INTERNAL_SERVER_ERROR" } },
    });
    expect(body).not.toMatch(/no such table|stack|sqlite|select/i);
  });

  it("shows the message and stack of an unexpected error in development", async () => {
    await using server = await startTestServer({ NODE_ENV: "development" });
    await server.orm.em.fork().execute("drop table items");
    const response = await server.fetchAsAdmin("/trpc/items.list");
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { message: string; data: { stack?: string } } };
    expect(body.error.message).toMatch(/no such table: items/);
    expect(body.error.data.stack).toBeTruthy();
  });
});
