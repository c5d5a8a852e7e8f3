import { RecordNotFoundError } from "@app/db";
import { describe, expect, it, vi } from "vitest";
import { createTestApi } from "../test/harness.ts";
import { createLoaders } from "./loaders.ts";

describe("loaders", () => {
  it("reads the ids asked for together in one set of queries, an id asked twice once", async () => {
    await using api = await createTestApi();
    const ann = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const bob = await api.caller.users.create({ name: "Bob", email: "bob@example.com" });
    await api.caller.items.create({ userId: bob.id, title: "Pen" });
    const loaders = createLoaders(api.orm);
    const before = api.queries.length;
    const read = await Promise.all([bob.id, ann.id, bob.id].map((id) => loaders.user.load(id)));
    expect(read.map((user) => [user.name, user.items?.length])).toEqual([
      ["Bob", 1],
      ["Ann", 0],
      ["Bob", 1],
    ]);
    const [users, items, ...more] = api.queries.slice(before);
    expect(more).toEqual([]);
    expect(users?.match(/\?/g)).toHaveLength(2);
    expect(items).toMatch(/from "items"/);
  });

  it("fails each missing id's own load with its own not-found", async () => {
    await using api = await createTestApi();
    const loaders = createLoaders(api.orm);
    const settled = await Promise.allSettled([loaders.item.load(404), loaders.item.load(404)]);
    const [first, second] = settled.map((result) => (result.status === "rejected" ? result.reason : result));
    expect(first).toBeInstanceOf(RecordNotFoundError);
    expect(first).toHaveProperty("message", "Item 404 not found");
    expect(second).toBeInstanceOf(RecordNotFoundError);
    expect(second).not.toBe(first);
  });

  it("rejects only the loads of a batch whose query failed", async () => {
    await using api = await createTestApi();
    const ann = await api.caller.users.create({ name: "Ann", email: "ann@example.com" });
    const pen = await api.caller.items.create({ userId: ann.id, title: "Pen" });
    const loaders = createLoaders(api.orm);
    vi.spyOn(api.orm.em, "fork").mockImplementationOnce(() => {
      throw new Error("connection lost");
    });
    const failed = Promise.allSettled([loaders.user.load(ann.id), loaders.user.load(404)]);
    const sibling = loaders.item.load(pen.id);
    expect((await failed).map((result) => result.status === "rejected" && String(result.reason))).toEqual([
      "Error: connection lost",
      "Error: connection lost",
    ]);
    await expect(sibling).resolves.toMatchObject({ title: "Pen" });
    await expect(loaders.user.load(ann.id)).resolves.toMatchObject({ name: "Ann" });
  });
});
