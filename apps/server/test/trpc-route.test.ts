import { describe, expect, it } from "vitest";
import { startTestServer } from "./harness.ts";

const encode = (value: unknown) => encodeURIComponent(JSON.stringify(value));

/**
 * GET one query alone (answered by the fast path) and the same query in a batch with a failing
 * one (which sends the whole batch to tRPC's resolver): the reference answer.
 */
async function bothWays(url: string, path: string, input: unknown) {
  const single = await fetch(`${url}/trpc/${path}${input === undefined ? "" : `?input=${encode(input)}`}`);
  const mixed = await fetch(
    `${url}/trpc/${path},users.byId?batch=1&input=${encode({ ...(input === undefined ? {} : { 0: input }), 1: { id: -1 } })}`,
  );
  expect(mixed.status).toBe(207);
  const reference = ((await mixed.json()) as unknown[])[0];
  return { single: { status: single.status, body: await single.json() }, reference };
}

describe("queries over /trpc", () => {
  it("answer exactly as tRPC's resolver does, for every query", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Pen", description: null });
    const cases: [string, unknown][] = [
      ["users.byId", { id: ann.id }],
      ["users.list", { limit: 5, withItems: true }],
      ["users.list", undefined],
      ["items.list", { userId: ann.id }],
      ["items.byId", { id: 1 }],
      ["health", undefined],
    ];
    for (const [path, input] of cases) {
      const { single, reference } = await bothWays(server.url, path, input);
      expect(single.status).toBe(200);
      expect(single.body).toEqual(reference);
    }
  });

  it("answer a batch of queries as one array, each call its own unit of work", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const input = encode({ 0: { id: ann.id }, 1: { limit: 1 }, 2: undefined });
    const response = await fetch(`${server.url}/trpc/users.byId,users.list,health?batch=1&input=${input}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { result: { data: await server.client.users.byId.query({ id: ann.id }) } },
      { result: { data: await server.client.users.list.query({ limit: 1 }) } },
      { result: { data: { status: "ok", db: "ok" } } },
    ]);
    const tooMany = Array.from({ length: 11 }, () => "health").join(",");
    expect((await fetch(`${server.url}/trpc/${tooMany}?batch=1&input=%7B%7D`)).status).toBe(400);
  });

  it("keep tRPC's errors: status, code and message", async () => {
    await using server = await startTestServer();
    const missing = await fetch(`${server.url}/trpc/users.byId?input=${encodeURIComponent('{"id":42}')}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { message: "User 42 not found", data: { code: "NOT_FOUND" } },
    });
    const invalid = await fetch(`${server.url}/trpc/users.byId?input=${encodeURIComponent('{"id":-1}')}`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      error: { data: { code: "BAD_REQUEST", zodError: { fieldErrors: { id: [expect.any(String)] } } } },
    });
    const broken = await fetch(`${server.url}/trpc/users.byId?input=%7Bnot-json`);
    expect(broken.status).toBe(400);
    const mutation = await fetch(`${server.url}/trpc/users.delete?input=${encodeURIComponent('{"id":1}')}`);
    expect(mutation.status).toBe(405);
  });
});
