import { describe, expect, it } from "vitest";
import { createTestApi, expectTRPCError } from "../../test/harness.ts";

describe("items router", () => {
  it("adds an item in one INSERT (and its change), relying on the foreign key to check the owner", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const inserts = await api.countQueries(() => api.caller.items.create({ userId: user.id, title: "Pen" }));
    expect(inserts).toBe(1 + 2); // the insert, and its change (head, row)
    const error = await expectTRPCError(api.caller.items.create({ userId: 404, title: "Pen" }), "NOT_FOUND");
    expect(error.message).toBe("User 404 not found");
  });

  it("lists a page in one query, and tells a missing user from one without items", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    await api.caller.items.create({ userId: user.id, title: "Pen" });
    expect(await api.countQueries(() => api.caller.items.list({ userId: user.id }))).toBe(1);
    const empty = await api.caller.users.create({ name: "Bob", email: "bob@example.com" });
    expect(await api.caller.items.list({ userId: empty.id })).toEqual({ items: [], nextCursor: null });
    await expectTRPCError(api.caller.items.list({ userId: 999 }), "NOT_FOUND");
  });

  it("answers the byId calls of one batch with one query between them", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const pen = await api.caller.items.create({ userId: user.id, title: "Pen" });
    const cup = await api.caller.items.create({ userId: user.id, title: "Cup" });
    let settled: PromiseSettledResult<{ title: string }>[] = [];
    const queries = await api.countQueries(async () => {
      settled = await Promise.allSettled([cup.id, 404, pen.id].map((id) => api.caller.items.byId({ id })));
    });
    expect(queries).toBe(1);
    expect(settled.map((result) => (result.status === "fulfilled" ? result.value.title : "failed"))).toEqual([
      "Cup",
      "failed",
      "Pen",
    ]);
    await expectTRPCError(api.caller.items.byId({ id: 404 }), "NOT_FOUND");
  });

  it("updates only what it is given and keeps the owner, in two queries and its change", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const item = await api.caller.items.create({ userId: user.id, title: "Pen", description: "blue" });
    expect(await api.countQueries(() => api.caller.items.byId({ id: item.id }))).toBe(1);
    expect(await api.countQueries(() => api.caller.items.update({ id: item.id, title: "Pen 2" }))).toBe(
      2 + 2,
    );
    const renamed = await api.caller.items.update({ id: item.id, title: "Pencil" });
    expect(renamed).toMatchObject({ title: "Pencil", description: "blue", ownerId: user.id });
  });

  it("deletes an item (reading its owner for the change), and says NOT_FOUND the second time", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const item = await api.caller.items.create({ userId: user.id, title: "Pen" });
    // The owner is read first: the change says whose item it was.
    expect(await api.countQueries(() => api.caller.items.delete({ id: item.id }))).toBe(2 + 2);
    const error = await expectTRPCError(api.caller.items.delete({ id: item.id }), "NOT_FOUND");
    expect(error.message).toBe(`Item ${item.id} not found`);
  });
});
