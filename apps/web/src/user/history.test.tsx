import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Change } from "../live/types.ts";
import { FakeApiError, type FakeLive } from "../test/fake-api.ts";
import { renderApp } from "../test/render.tsx";
import { fakeItem, fakeUser } from "../test/users.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const admin = fakeUser({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });
const ann = fakeUser({ id: 5, name: "Ann", email: "ann@example.com", version: 2 });
const pen = fakeItem({ id: 10, title: "Pen", ownerId: 5 });
const openStream = (live: FakeLive) => waitFor(() => live.stream());

describe("the history on a user's page", () => {
  it("shows a user their own history, newest first, in sentences, and adds what happens live", async () => {
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const history: Change[] = [
      {
        id: 1,
        at: ago(3 * 24 * 60),
        actorId: null,
        entity: "user",
        entityId: 5,
        ownerId: 5,
        op: "create",
        version: 1,
      },
      { id: 2, at: ago(30 * 60), actorId: 5, entity: "item", entityId: 10, ownerId: 5, op: "create" },
      {
        id: 3,
        at: ago(3),
        actorId: 1,
        entity: "user",
        entityId: 5,
        ownerId: 5,
        op: "update",
        version: 2,
        fields: { email: ["ann@old.example", "ann@example.com"] },
      },
    ];
    const { calls, live } = renderApp("/users/5", {
      "auth.me": () => ann,
      "users.byId": () => ({ ...ann, items: [pen] }),
      "changes.list": () => ({ items: history, nextCursor: null }),
    });
    const list = await screen.findByRole("list", { name: "History" });
    const lines = () =>
      within(list)
        .getAllByRole("listitem")
        .map((line) => line.textContent);
    await waitFor(() => expect(lines()).toHaveLength(3));
    expect(lines()).toEqual([
      "Email changed from “ann@old.example” to “ann@example.com” by an admin, 3 minutes ago",
      "Item “Pen” added by you, yesterday",
      // A sign-up: no one was signed in to make it.
      "Account created, 3 days ago",
    ]);
    // One query: the changes to her account's records (the only owner a user may name).
    expect(calls.filter((call) => call.path === "changes.list").map((call) => call.input)).toEqual([
      { after: null, ownerId: 5, limit: 100 },
    ]);

    const stream = await openStream(live);
    stream.send({
      id: 50,
      at: new Date().toISOString(),
      entity: "item",
      entityId: 10,
      ownerId: 5,
      op: "update",
      actorId: 5,
      fields: { title: ["Pen", "Fountain pen"] },
    });
    await waitFor(() =>
      expect(lines()[0]).toBe("Title changed from “Pen” to “Fountain pen” by you, just now"),
    );
    expect(lines()[2]).toMatch(/^Item “Pen” added by you/);
  });

  it("reads someone's history for an admin in one query, deleted items included, naming who did what", async () => {
    const bo = { ...fakeUser({ id: 4, name: "Bo", email: "bo@example.com" }), items: [pen] };
    const cy = fakeUser({ id: 7, name: "Cy", email: "cy@example.com", role: "admin" });
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const bos: Change[] = [
      { id: 1, at: ago(50), actorId: 1, entity: "user", entityId: 4, ownerId: 4, op: "create", version: 1 },
      { id: 2, at: ago(40), actorId: 4, entity: "item", entityId: 10, ownerId: 4, op: "create" },
      {
        id: 3,
        at: ago(30),
        actorId: 7,
        entity: "item",
        entityId: 10,
        ownerId: 4,
        op: "update",
        fields: { description: [null, "Blue ink"] },
      },
      // An item deleted before the page was opened: no longer on the page, still in its history.
      { id: 5, at: ago(20), actorId: 4, entity: "item", entityId: 11, ownerId: 4, op: "create" },
      {
        id: 6,
        at: ago(15),
        actorId: 4,
        entity: "item",
        entityId: 11,
        ownerId: 4,
        op: "update",
        fields: { title: ["Mug", "Cup"] },
      },
      { id: 7, at: ago(10), actorId: 1, entity: "item", entityId: 11, ownerId: 4, op: "delete" },
      {
        id: 8,
        at: ago(2),
        actorId: 9,
        entity: "user",
        entityId: 4,
        ownerId: 4,
        op: "update",
        version: 2,
        fields: {},
      },
    ];
    const { calls } = renderApp("/users/4", {
      "auth.me": () => admin,
      "users.byId": (input) => {
        const id = (input as { id: number }).id;
        if (id === 4) return bo;
        if (id === 7) return cy;
        throw new FakeApiError("NOT_FOUND", `User ${id} not found`);
      },
      "changes.list": (input) => {
        if ((input as { ownerId?: number }).ownerId !== 4) {
          throw new Error(`unexpected changes.list ${JSON.stringify(input)}`);
        }
        return { items: bos, nextCursor: null };
      },
    });
    const list = await screen.findByRole("list", { name: "History" });
    await waitFor(() =>
      expect(
        within(list)
          .getAllByRole("listitem")
          .map((line) => line.textContent),
      ).toEqual([
        "Password changed by a deleted account, 2 minutes ago",
        "Item “Cup” deleted by you, 10 minutes ago",
        "Title changed from “Mug” to “Cup” by Bo, 15 minutes ago",
        "Item “Mug” added by Bo, 20 minutes ago",
        "Description of “Pen” set to “Blue ink” by Cy, 30 minutes ago",
        "Item “Pen” added by Bo, 40 minutes ago",
        "Account created by you, 50 minutes ago",
      ]),
    );
    expect(calls.filter((call) => call.path === "changes.list").map((call) => call.input)).toEqual([
      { after: null, ownerId: 4, limit: 100 },
    ]);
  });
});
