import { describe, expect, it } from "vitest";
import { startTestServer } from "./harness.ts";

/** GET one query alone (the fast path) and the same query as a batch of one (tRPC's resolver). */
async function bothWays(url: string, path: string, input: unknown) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const single = await fetch(`${url}/trpc/${path}${query}`);
  const batch = await fetch(
    `${url}/trpc/${path}?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`,
  );
  const batchBody = (await batch.json()) as unknown[];
  return { single: { status: single.status, body: await single.json() }, batch: batchBody[0] };
}

describe("single queries over /trpc", () => {
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
      const { single, batch } = await bothWays(server.url, path, input);
      expect(single.status).toBe(200);
      expect(single.body).toEqual(batch);
    }
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
