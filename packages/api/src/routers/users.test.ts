import { describe, expect, it } from "vitest";
import { createTestApi, expectTRPCError } from "../../test/harness.ts";

describe("users router", () => {
  it("creates a user with a trimmed name, a lower-cased email, version 1 and no items", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "  Ann  ", email: " Ann@Example.COM " });
    expect(user).toMatchObject({ name: "Ann", email: "ann@example.com", version: 1, items: [] });
    expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);
  });

  it("refuses an email that is taken in any letter case, and writes nothing", async () => {
    await using api = await createTestApi();
    await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const error = await expectTRPCError(
      api.caller.users.create({ name: "Other", email: "ANN@example.com" }),
      "CONFLICT",
    );
    expect(error.message).toContain("ann@example.com");
    expect((await api.caller.users.list()).items).toHaveLength(1);
  });

  it("rejects bad input with BAD_REQUEST naming the field", async () => {
    await using api = await createTestApi();
    const error = await expectTRPCError(api.caller.users.create({ name: "", email: "nope" }), "BAD_REQUEST");
    expect(error.message).toMatch(/name: .*; email: Invalid email/);
  });

  it("pages through users by keyset cursor and ends with a null cursor", async () => {
    await using api = await createTestApi();
    for (let i = 1; i <= 5; i++) await api.caller.users.create({ name: `U${i}`, email: `u${i}@example.com` });
    const first = await api.caller.users.list({ limit: 2 });
    const second = await api.caller.users.list({ limit: 2, cursor: first.nextCursor });
    const third = await api.caller.users.list({ limit: 2, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((u) => u.name)).toEqual([
      "U1",
      "U2",
      "U3",
      "U4",
      "U5",
    ]);
    expect(third.nextCursor).toBeNull();
    const exact = await api.caller.users.list({ limit: 5 });
    expect(exact.nextCursor).toBeNull();
  });

  it("searches name or email case-insensitively, with % and _ matched literally", async () => {
    await using api = await createTestApi();
    await api.caller.users.create({ name: "Ann Smith", email: "ann@example.com" });
    await api.caller.users.create({ name: "Bob", email: "bob_smith@work.org" });
    await api.caller.users.create({ name: "Carl", email: "carl@example.com" });
    const names = async (search: string) =>
      (await api.caller.users.list({ search })).items.map((u) => u.name).sort();
    expect(await names("SMITH")).toEqual(["Ann Smith", "Bob"]);
    expect(await names("Example")).toEqual(["Ann Smith", "Carl"]);
    expect(await names("b_s")).toEqual(["Bob"]);
    expect(await names("%")).toEqual([]);
  });

  it("reads a user with its items in id order, in two queries", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    await api.caller.items.create({ userId: user.id, title: "first" });
    await api.caller.items.create({ userId: user.id, title: "second", description: "2nd" });
    let read: Awaited<ReturnType<typeof api.caller.users.byId>> | undefined;
    const queries = await api.countQueries(async () => {
      read = await api.caller.users.byId({ id: user.id });
    });
    expect(read?.items?.map((i) => i.title)).toEqual(["first", "second"]);
    expect(queries).toBe(2);
  });

  it("answers the byId calls of one batch with two queries between them, each call its own answer", async () => {
    await using api = await createTestApi();
    const ids: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const user = await api.caller.users.create({ name: `U${i}`, email: `u${i}@example.com` });
      await api.caller.items.create({ userId: user.id, title: `item of U${i}` });
      ids.push(user.id);
    }
    // As tRPC runs the calls of one batched request: concurrently, with one context.
    const asked = [ids[2], 999, ids[0], ids[2], ids[3]].map((id) => id ?? 0);
    let settled: PromiseSettledResult<{ id: number; items?: { title: string }[] | undefined }>[] = [];
    const queries = await api.countQueries(async () => {
      settled = await Promise.allSettled(asked.map((id) => api.caller.users.byId({ id })));
    });
    expect(queries).toBe(2);
    expect(
      settled.map((result) => (result.status === "fulfilled" ? result.value.items?.[0]?.title : "failed")),
    ).toEqual(["item of U3", "failed", "item of U1", "item of U3", "item of U4"]);
    await expectTRPCError(api.caller.users.byId({ id: 999 }), "NOT_FOUND");
  });

  it("lists a page of users with items in a constant number of queries, whatever the page size", async () => {
    await using api = await createTestApi();
    for (let i = 1; i <= 30; i++) {
      const user = await api.caller.users.create({ name: `U${i}`, email: `u${i}@example.com` });
      await api.caller.items.create({ userId: user.id, title: `item of U${i}` });
    }
    const small = await api.countQueries(() => api.caller.users.list({ limit: 2, withItems: true }));
    const large = await api.countQueries(() => api.caller.users.list({ limit: 30, withItems: true }));
    expect(small).toBe(2);
    expect(large).toBe(2);
    const page = await api.caller.users.list({ limit: 3, withItems: true });
    expect(page.items.map((u) => u.items?.map((i) => i.title))).toEqual([
      ["item of U1"],
      ["item of U2"],
      ["item of U3"],
    ]);
  });

  it("says NOT_FOUND, naming the user, for a missing id", async () => {
    await using api = await createTestApi();
    const error = await expectTRPCError(api.caller.users.byId({ id: 999 }), "NOT_FOUND");
    expect(error.message).toBe("User 999 not found");
    await expectTRPCError(api.caller.users.update({ id: 999, name: "x" }), "NOT_FOUND");
    await expectTRPCError(api.caller.users.delete({ id: 999 }), "NOT_FOUND");
  });

  it("updates and bumps the version; a stale version is a CONFLICT that changes nothing", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const updated = await api.caller.users.update({ id: user.id, name: "Anna", version: 1 });
    expect(updated).toMatchObject({ name: "Anna", version: 2 });
    await expectTRPCError(api.caller.users.update({ id: user.id, name: "Stale", version: 1 }), "CONFLICT");
    expect(await api.caller.users.byId({ id: user.id })).toMatchObject({ name: "Anna", version: 2 });
  });

  it("keeps the old name when an update of name and a taken email fails part-way", async () => {
    await using api = await createTestApi();
    await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const bob = await api.caller.users.create({ name: "Bob", email: "bob@example.com" });
    await expectTRPCError(
      api.caller.users.update({ id: bob.id, name: "Robert", email: "ann@example.com" }),
      "CONFLICT",
    );
    expect(await api.caller.users.byId({ id: bob.id })).toMatchObject({ name: "Bob", version: 1 });
  });

  it("refuses an update that changes nothing", async () => {
    await using api = await createTestApi();
    const error = await expectTRPCError(api.caller.users.update({ id: 1 }), "BAD_REQUEST");
    expect(error.message).toContain("at least one of name, email, role or password");
  });

  // Each write, plus two statements for its change: take ids from the head (its row locked, UPDATE … RETURNING), insert the row.
  it("costs a fixed number of queries per write: 1+2 to create, 2+2 to update, 2+2 to delete", async () => {
    await using api = await createTestApi();
    let id = 0;
    expect(
      await api.countQueries(async () => {
        id = (await api.caller.users.create({ name: "Ann", email: "ann@example.com" })).id;
      }),
    ).toBe(1 + 2);
    expect(await api.countQueries(() => api.caller.users.update({ id, name: "Anna", version: 1 }))).toBe(
      2 + 2,
    );
    // The delete reads the user's item ids first, to record their deletion too.
    expect(await api.countQueries(() => api.caller.users.delete({ id }))).toBe(2 + 2);
  });

  it("deletes a user together with its items", async () => {
    await using api = await createTestApi();
    const user = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const item = await api.caller.items.create({ userId: user.id, title: "thing" });
    expect(await api.caller.users.delete({ id: user.id })).toEqual({ id: user.id });
    await expectTRPCError(api.caller.users.byId({ id: user.id }), "NOT_FOUND");
    await expectTRPCError(api.caller.items.byId({ id: item.id }), "NOT_FOUND");
  });
});
