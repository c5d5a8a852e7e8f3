import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/harness.ts";

const encode = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("queries over /trpc", () => {
  it("answer a batch of queries as one array, each call its own unit of work", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const input = encode({ 0: { id: ann.id }, 1: { limit: 1 }, 2: undefined });
    const response = await server.fetchAsAdmin(`/trpc/users.byId,users.list,health?batch=1&input=${input}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { result: { data: await server.client.users.byId.query({ id: ann.id }) } },
      { result: { data: await server.client.users.list.query({ limit: 1 }) } },
      { result: { data: { status: "ok", db: "ok" } } },
    ]);
    const tooMany = Array.from({ length: 11 }, () => "health").join(",");
    expect((await server.fetchAsAdmin(`/trpc/${tooMany}?batch=1&input=%7B%7D`)).status).toBe(400);
  });

  it("keep tRPC's errors: status, code and message", async () => {
    await using server = await startTestServer();
    const missing = await server.fetchAsAdmin(`/trpc/users.byId?input=${encodeURIComponent('{"id":42}')}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { message: "User 42 not found", data: { code: "NOT_FOUND" } },
    });
    const invalid = await server.fetchAsAdmin(`/trpc/users.byId?input=${encodeURIComponent('{"id":-1}')}`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      error: { data: { code: "BAD_REQUEST", zodError: { fieldErrors: { id: [expect.any(String)] } } } },
    });
    const broken = await server.fetchAsAdmin(`/trpc/users.byId?input=%7Bnot-json`);
    expect(broken.status).toBe(400);
    const mutation = await server.fetchAsAdmin(`/trpc/users.delete?input=${encodeURIComponent('{"id":1}')}`);
    expect(mutation.status).toBe(405);
    const anonymous = await fetch(`${server.url}/trpc/users.byId?input=${encodeURIComponent('{"id":1}')}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      error: { data: { code: "UNAUTHORIZED", httpStatus: 401 } },
    });
  });
});
