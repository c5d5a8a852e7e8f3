import type { QueryClient } from "@tanstack/react-query";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeLive, FakeProcedure } from "../test/fake-api.ts";
import { currentPath, renderApp } from "../test/render.tsx";
import { fakeItem, fakeUser } from "../test/users.ts";
import type { Change } from "./types.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const admin = fakeUser({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });
const ann = fakeUser({ id: 5, name: "Ann", email: "ann@example.com", version: 2 });
const pen = fakeItem({ id: 10, title: "Pen", ownerId: 5 });

let nextId = 100;
/**
 * A change as the server sends it, made just now by the admin unless told otherwise. A user's
 * record is their own; an item change names its owner.
 */
function change(
  partial: Pick<Change, "entity" | "entityId" | "op"> &
    Partial<Change> &
    ({ entity: "user" } | { ownerId: number }),
): Change {
  nextId += 1;
  return { id: nextId, at: new Date().toISOString(), actorId: 1, ownerId: partial.entityId, ...partial };
}

/** Ann's own page, with her pen; what she may call. */
function annServer(extra: Record<string, FakeProcedure> = {}) {
  return {
    "auth.me": () => ann,
    "users.byId": () => ({ ...ann, items: [pen] }),
    ...extra,
  };
}

type Call = { path: string; input: unknown };
/** Ann's pen renamed "Fountain pen", by the admin, just now. */
const penRenamed = () =>
  change({
    entity: "item",
    entityId: 10,
    ownerId: 5,
    op: "update",
    fields: { title: ["Pen", "Fountain pen"] },
  });

const count = (calls: Call[], path: string) => calls.filter((call) => call.path === path).length;
const openStream = (live: FakeLive) => waitFor(() => live.stream());

/**
 * The session's stream once the server follows the feed for it and the reload that follows (what
 * the page loaded before may have missed a change) has settled; `since` counts a procedure's
 * calls after that, `callsSince` lists them.
 */
async function followingStream(live: FakeLive, calls: Call[], queryClient: QueryClient) {
  const stream = await waitFor(() => {
    const open = live.stream();
    expect(open.connected).toBe(true);
    return open;
  });
  // The subscription link hands `connected` on a few promises later.
  await new Promise((resolve) => setTimeout(resolve, 10));
  await waitFor(() => expect(queryClient.isFetching()).toBe(0));
  const mark = calls.length;
  const callsSince = () => calls.slice(mark);
  return { stream, callsSince, since: (path: string) => count(callsSince(), path) };
}

describe("live updates on a user's page", () => {
  it("adds, patches and removes items changed elsewhere, in place, without refetching the user", async () => {
    const notebook = fakeItem({ id: 11, title: "Notebook", ownerId: 5 });
    const { calls, live, queryClient } = renderApp(
      "/users/5",
      annServer({ "items.byId": (input) => ((input as { id: number }).id === 11 ? notebook : pen) }),
    );
    await screen.findByText("Pen");
    const { stream, since, callsSince } = await followingStream(live, calls, queryClient);
    // Subscribed once for the session, from now.
    expect(live.streams).toHaveLength(1);
    expect(stream.input).toEqual({});

    // Made with the CLI: the change says only which item; the app looks that one up.
    stream.send(change({ entity: "item", entityId: 11, ownerId: 5, op: "create", actorId: 5 }));
    const items = await screen.findByRole("list", { name: "Items" });
    await within(items).findByText("Notebook");
    expect(
      callsSince()
        .filter((call) => call.path === "items.byId")
        .map((call) => call.input),
    ).toEqual([{ id: 11 }]);

    stream.send(penRenamed());
    await within(items).findByText("Fountain pen");
    stream.send(change({ entity: "item", entityId: 11, ownerId: 5, op: "delete", actorId: 5 }));
    await waitFor(() => expect(within(items).queryByText("Notebook")).toBeNull());

    expect(screen.getByRole("heading", { level: 2, name: "Items (1)" })).toBeTruthy();
    // No load of the page since: each change touched only its own row.
    expect(since("users.byId")).toBe(0);
    expect(since("items.byId")).toBe(1);
  });

  it("shows a change to the user made elsewhere in the heading, the header and an untouched form", async () => {
    const { calls, live, queryClient } = renderApp("/users/5", annServer());
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    const { stream, since } = await followingStream(live, calls, queryClient);

    stream.send(
      change({
        entity: "user",
        entityId: 5,
        op: "update",
        version: 3,
        actorId: 5,
        fields: { name: ["Ann", "Ann Lee"] },
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Ann Lee" });
    expect(screen.getByRole("navigation", { name: "Account" }).textContent).toContain("Signed in as Ann Lee");
    const form = within(screen.getByRole("form", { name: "Edit user" }));
    expect((form.getByLabelText("Name") as HTMLInputElement).value).toBe("Ann Lee");
    expect(since("users.byId")).toBe(0);
    expect(since("auth.me")).toBe(0);
  });

  it("keeps what the person is typing when the user changes elsewhere, says so, and shows theirs on request", async () => {
    const { calls, live } = renderApp("/users/5", annServer({ "users.update": () => ann }));
    const form = within(await screen.findByRole("form", { name: "Edit user" }));
    const stream = await openStream(live);
    fireEvent.change(form.getByLabelText("Email"), { target: { value: "ann@work.example" } });

    stream.send(
      change({ entity: "user", entityId: 5, op: "update", version: 3, fields: { name: ["Ann", "Ann B"] } }),
    );
    await screen.findByRole("heading", { level: 1, name: "Ann B" });
    expect((form.getByLabelText("Email") as HTMLInputElement).value).toBe("ann@work.example");
    expect((form.getByLabelText("Name") as HTMLInputElement).value).toBe("Ann");
    expect(form.getByRole("status").textContent).toContain("This user was just changed elsewhere");

    fireEvent.click(form.getByRole("button", { name: "Discard my edits and show it" }));
    expect((form.getByLabelText("Name") as HTMLInputElement).value).toBe("Ann B");
    expect((form.getByLabelText("Email") as HTMLInputElement).value).toBe("ann@example.com");
    expect(form.queryByRole("status")).toBeNull();
    expect(count(calls, "users.update")).toBe(0);
  });

  it("refetches the user when versions were missed, rather than patch over the gap", async () => {
    let current = { ...ann, items: [pen] };
    const { calls, live, queryClient } = renderApp("/users/5", annServer({ "users.byId": () => current }));
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    const { stream, since } = await followingStream(live, calls, queryClient);
    current = { ...current, name: "Ann Park", email: "ann@park.example", version: 4 };
    stream.send(
      change({
        entity: "user",
        entityId: 5,
        op: "update",
        version: 4,
        fields: { email: ["x", "ann@park.example"] },
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Ann Park" });
    expect(since("users.byId")).toBe(1);
  });

  it("goes to the sign-in page when the stream ends with UNAUTHORIZED, and subscribes no more", async () => {
    const { live } = renderApp("/users/5", annServer());
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    const stream = await openStream(live);
    stream.fail("UNAUTHORIZED", "Your session has ended: sign in again");
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(currentPath()).toBe("/signin");
    expect(screen.getByRole("status").textContent).toBe("Your session has ended. Sign in again.");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.streams.filter((s) => s.open)).toHaveLength(0);
    expect(live.streams).toHaveLength(1);
  });

  it("reloads the page once the stream follows the feed: a change made while it opened is not missed", async () => {
    const notebook = fakeItem({ id: 11, title: "Notebook", ownerId: 5 });
    let items = [pen];
    const { calls, live } = renderApp("/users/5", annServer({ "users.byId": () => ({ ...ann, items }) }));
    live.hold();
    await screen.findByText("Pen");
    const stream = await openStream(live);
    // Made with the CLI after the page was read, before the server followed the feed for this
    // stream: no event will ever tell of it.
    items = [pen, notebook];
    stream.connect();
    const list = await screen.findByRole("list", { name: "Items" });
    await within(list).findByText("Notebook");
    expect(count(calls, "users.byId")).toBe(2);
  });

  it("reads a page again when a change arrives while it is being read: the older answer does not undo it", async () => {
    let items = [pen];
    const { calls, live, slowAnswers } = renderApp(
      "/users/5",
      annServer({ "users.byId": () => ({ ...ann, items }) }),
    );
    live.hold();
    const list = await screen.findByRole("list", { name: "Items" });
    await within(list).findByText("Pen");
    const stream = await openStream(live);
    // The reload once the stream follows reads the page now, and its answer is slow to come.
    slowAnswers((paths) => (paths.includes("users.byId") ? 200 : 0));
    stream.connect();
    await waitFor(() => expect(count(calls, "users.byId")).toBe(2));
    // Committed after that read, and on the stream at once.
    items = [{ ...pen, title: "Fountain pen" }];
    stream.send(penRenamed());
    await within(list).findByText("Fountain pen");
    // The slow answer would have landed by now: it was dropped, and the page read again after the change.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(within(list).queryByText("Fountain pen")).not.toBeNull();
    expect(within(list).queryByText("Pen")).toBeNull();
    expect(count(calls, "users.byId")).toBe(3);
  });

  it("reloads a page still loading for the first time once the stream follows the feed", async () => {
    const notebook = fakeItem({ id: 11, title: "Notebook", ownerId: 5 });
    let items = [pen];
    const { calls, live, slowAnswers } = renderApp(
      "/users/5",
      annServer({ "users.byId": () => ({ ...ann, items }) }),
    );
    slowAnswers((paths) => (paths.includes("users.byId") ? 300 : 0));
    live.hold();
    const stream = await openStream(live);
    await waitFor(() => expect(count(calls, "users.byId")).toBe(1));
    // Created while the page's first load, which has read, is on its way.
    items = [pen, notebook];
    stream.connect();
    const list = await screen.findByRole("list", { name: "Items" }, { timeout: 2000 });
    await within(list).findByText("Notebook", {}, { timeout: 2000 });
    expect(count(calls, "users.byId")).toBe(2);
  });

  it("reads a page again when a change it concerns arrives during its first load", async () => {
    let items = [pen];
    const { calls, live, queryClient, slowAnswers } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": () => ({ items: [admin, ann], nextCursor: null }),
      "users.byId": () => ({ ...ann, items }),
    });
    const users = await screen.findByRole("list", { name: "Users" });
    const { stream, since } = await followingStream(live, calls, queryClient);
    slowAnswers((paths) => (paths.includes("users.byId") ? 300 : 0));
    fireEvent.click(within(users).getByRole("link", { name: /Ann/ }));
    await waitFor(() => expect(since("users.byId")).toBe(1));
    // Renamed after the page was read, before its answer arrived.
    items = [{ ...pen, title: "Fountain pen" }];
    stream.send(penRenamed());
    const list = await screen.findByRole("list", { name: "Items" }, { timeout: 2000 });
    await within(list).findByText("Fountain pen", {}, { timeout: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(within(list).queryByText("Pen")).toBeNull();
    expect(since("users.byId")).toBe(2);
  });

  it("finishes loading a page, and shows the last change, while changes come faster than it loads", async () => {
    const renames = ["Pen 1", "Pen 2", "Pen 3", "Pen 4", "Pen 5", "Pen 6"];
    let title = "Pen";
    const { calls, live, queryClient, slowAnswers } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": () => ({ items: [admin, ann], nextCursor: null }),
      "users.byId": () => ({ ...ann, items: [{ ...pen, title }] }),
    });
    const users = await screen.findByRole("list", { name: "Users" });
    const { stream, since } = await followingStream(live, calls, queryClient);
    // Ann's page takes 250 ms to load; her pen is renamed every 100 ms meanwhile.
    slowAnswers((paths) => (paths.includes("users.byId") ? 250 : 0));
    fireEvent.click(within(users).getByRole("link", { name: /Ann/ }));
    let before = title;
    for (const [index, next] of renames.entries()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Shown while the renames go on (400 ms in): no read is dropped at every change.
      if (index === 4) expect(screen.queryByRole("list", { name: "Items" })).not.toBeNull();
      title = next;
      stream.send(
        change({ entity: "item", entityId: 10, ownerId: 5, op: "update", fields: { title: [before, next] } }),
      );
      before = next;
    }
    const list = screen.getByRole("list", { name: "Items" });
    await within(list).findByText("Pen 6", {}, { timeout: 2000 });
    await waitFor(() => expect(queryClient.isFetching()).toBe(0), { timeout: 2000 });
    expect(within(list).queryByText("Pen 6")).not.toBeNull();
    // A read at a time, each read again at most once after it ends: about one per 250 ms.
    expect(since("users.byId")).toBeLessThanOrEqual(5);
  });

  it("reads a history again when a change arrives during its first load", async () => {
    const log: Change[] = [];
    const { calls, live, queryClient, slowAnswers } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": () => ({ items: [admin, ann], nextCursor: null }),
      "users.byId": () => ({ ...ann, items: [pen] }),
      "changes.list": () => ({ items: [...log], nextCursor: null }),
    });
    const users = await screen.findByRole("list", { name: "Users" });
    const { stream, since } = await followingStream(live, calls, queryClient);
    slowAnswers((paths) => (paths.includes("changes.list") ? 300 : 0));
    fireEvent.click(within(users).getByRole("link", { name: /Ann/ }));
    await waitFor(() => expect(since("changes.list")).toBe(1));
    // Committed after Ann's history was read, before its answer arrived.
    const renamed = penRenamed();
    log.push(renamed);
    stream.send(renamed);
    const history = await screen.findByRole("list", { name: "History" }, { timeout: 2000 });
    await within(history).findByText(/^Title changed from “Pen” to “Fountain pen”/, {}, { timeout: 2000 });
    expect(since("changes.list")).toBe(2);
  });

  it("lets a read in flight finish when the changes that arrive meanwhile do not concern it", async () => {
    const { calls, live, queryClient, slowAnswers } = renderApp("/users/5", annServer());
    await screen.findByText("Pen");
    const { stream, since } = await followingStream(live, calls, queryClient);
    // Ann's page is being read again (slowly) when someone else's item changes.
    slowAnswers((paths) => (paths.includes("users.byId") ? 200 : 0));
    void queryClient.invalidateQueries({ queryKey: [["users", "byId"]] });
    await waitFor(() => expect(since("users.byId")).toBe(1));
    stream.send(
      change({ entity: "item", entityId: 30, ownerId: 8, op: "update", fields: { title: ["Cup", "Mug"] } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(since("users.byId")).toBe(1);
    expect(queryClient.isFetching()).toBe(0);
  });

  it("resubscribes after the last change it received when cut off, and reloads the page when that was pruned", async () => {
    const { calls, live, queryClient } = renderApp("/users/5", annServer());
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    const { stream: first, since } = await followingStream(live, calls, queryClient);
    const renamed = change({
      entity: "user",
      entityId: 5,
      op: "update",
      version: 3,
      fields: { name: ["Ann", "Ann Lee"] },
    });
    first.send(renamed);
    await screen.findByRole("heading", { level: 1, name: "Ann Lee" });
    first.fail(
      "TOO_MANY_REQUESTS",
      `This stream fell too far behind and was cut off: resubscribe after ${renamed.id}`,
    );

    const second = await waitFor(
      () => {
        expect(live.streams).toHaveLength(2);
        return live.stream();
      },
      { timeout: 3000 },
    );
    expect(second.input).toEqual({ after: renamed.id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(since("users.byId")).toBe(0);

    second.fail("PRECONDITION_FAILED", "Changes up to 900 were pruned: reload, then subscribe without after");
    // Followed from now; what the page shows may have missed changes: it is loaded again once
    // that stream follows the feed.
    const third = await waitFor(
      () => {
        expect(live.streams).toHaveLength(3);
        return live.stream();
      },
      { timeout: 3000 },
    );
    expect(third.input).toEqual({});
    await waitFor(() => expect(since("users.byId")).toBe(1));
  });
});

describe("live updates for an admin", () => {
  it("puts an item change on its owner's page, by the change's owner, looking up only new items shown there", async () => {
    const notebook = fakeItem({ id: 11, title: "Notebook", ownerId: 5 });
    const { calls, live, queryClient } = renderApp("/users/5", {
      "auth.me": () => admin,
      "users.byId": () => ({ ...ann, items: [pen] }),
      "items.byId": (input) => ((input as { id: number }).id === 11 ? notebook : pen),
    });
    const items = await screen.findByRole("list", { name: "Items" });
    await within(items).findByText("Pen");
    const { stream, since, callsSince } = await followingStream(live, calls, queryClient);

    // Someone else's new item: no page of theirs is open, so it is not even looked up.
    stream.send(change({ entity: "item", entityId: 12, ownerId: 8, op: "create", actorId: 8 }));
    stream.send(change({ entity: "item", entityId: 11, ownerId: 5, op: "create" }));
    await within(items).findByText("Notebook");
    stream.send(
      change({
        entity: "item",
        entityId: 11,
        ownerId: 5,
        op: "update",
        fields: { title: ["Notebook", "Pad"] },
      }),
    );
    await within(items).findByText("Pad");
    const history = screen.getByRole("list", { name: "History" });
    await within(history).findByText(/^Title changed from “Notebook” to “Pad” by you/);
    expect(within(history).getByText(/^Item “Notebook” added by you/)).toBeTruthy();
    expect(
      callsSince()
        .filter((call) => call.path === "items.byId")
        .map((call) => call.input),
    ).toEqual([{ id: 11 }]);
    expect(since("users.byId")).toBe(0);
  });

  it("asks who it is when demoted (FORBIDDEN), and follows its own changes from the last one", async () => {
    let me = admin;
    const { calls, live, queryClient } = renderApp("/", {
      "auth.me": () => me,
      "users.list": () => ({ items: [admin, ann], nextCursor: null }),
      "users.byId": () => ({ ...me, items: [] }),
    });
    await within(await screen.findByRole("list", { name: "Users" })).findByText("Ann");
    const { stream: first, since } = await followingStream(live, calls, queryClient);
    const renamed = change({
      entity: "user",
      entityId: 5,
      op: "update",
      version: 3,
      fields: { name: ["Ann", "Ann Lee"] },
    });
    first.send(renamed);
    await screen.findByText("Ann Lee");

    me = { ...admin, role: "user" };
    first.fail(
      "FORBIDDEN",
      `Your account is no longer an admin: resubscribe (after ${renamed.id}) to follow your own changes`,
    );
    // The session learns the new role: no users list, their own page instead.
    await screen.findByRole("heading", { level: 1, name: "Admin" });
    expect(screen.queryByRole("link", { name: "All users" })).toBeNull();
    expect(since("auth.me")).toBe(1);
    const second = await waitFor(
      () => {
        expect(live.streams).toHaveLength(2);
        return live.stream();
      },
      { timeout: 3000 },
    );
    expect(second.input).toEqual({ after: renamed.id });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.streams).toHaveLength(2);
  });
});

describe("live updates on the users list", () => {
  it("renames a row in place, removes a deleted one, and refetches a fully loaded list for a new user", async () => {
    const bo = fakeUser({ id: 7, name: "Bo", email: "bo@example.com" });
    const people = [admin, ann, bo];
    const { calls, live, queryClient } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": () => ({ items: [...people], nextCursor: null }),
    });
    const list = await screen.findByRole("list", { name: "Users" });
    await within(list).findByText("Ann");
    const { stream, since } = await followingStream(live, calls, queryClient);

    stream.send(
      change({ entity: "user", entityId: 5, op: "update", version: 3, fields: { name: ["Ann", "Ann Lee"] } }),
    );
    await within(list).findByText("Ann Lee");
    stream.send(change({ entity: "user", entityId: 7, op: "delete" }));
    await waitFor(() => expect(within(list).queryByText("Bo")).toBeNull());
    expect(since("users.list")).toBe(0);

    people.push(fakeUser({ id: 8, name: "Cy", email: "cy@example.com" }));
    stream.send(change({ entity: "user", entityId: 8, op: "create" }));
    await within(list).findByText("Cy");
    expect(since("users.list")).toBe(1);
  });

  it("loads the pages the address asks for while a listed user keeps changing", async () => {
    const people = [
      admin,
      ...Array.from({ length: 45 }, (_, index) =>
        fakeUser({ id: index + 2, name: `Person ${index + 2}`, email: `person${index + 2}@example.com` }),
      ),
    ];
    const listUsers = (input: unknown) => {
      const { limit, cursor } = input as { limit: number; cursor?: number | null };
      const after = people.filter((person) => person.id > (cursor ?? 0));
      const items = after.slice(0, limit);
      return { items, nextCursor: after.length > limit ? (items.at(-1)?.id ?? null) : null };
    };
    const { calls, live, queryClient, slowAnswers } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": listUsers,
    });
    const list = await screen.findByRole("list", { name: "Users" });
    const { stream } = await followingStream(live, calls, queryClient);
    // Each page takes 200 ms; Person 2, on the first, is renamed every 100 ms meanwhile.
    slowAnswers((paths) => (paths.includes("users.list") ? 200 : 0));
    window.history.pushState(null, "", "/?pages=2");
    window.dispatchEvent(new PopStateEvent("popstate"));
    for (let version = 2; version < 12; version++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const name = `Person 2 v${version}`;
      const before = people[1];
      if (before) people[1] = { ...before, name, version };
      stream.send(
        change({ entity: "user", entityId: 2, op: "update", version, fields: { name: ["x", name] } }),
      );
      // The second page is shown while the renames go on (600 ms in).
      if (version === 8) expect(within(list).getAllByRole("listitem")).toHaveLength(40);
    }
    await within(list).findByText(/Person 2 v11/, {}, { timeout: 2000 });
  });

  it("leaves a list alone when a new user would come after its loaded pages", async () => {
    const { calls, live, queryClient } = renderApp("/", {
      "auth.me": () => admin,
      "users.list": () => ({ items: [admin, ann], nextCursor: 5 }),
    });
    await within(await screen.findByRole("list", { name: "Users" })).findByText("Ann");
    const { stream, since } = await followingStream(live, calls, queryClient);
    stream.send(change({ entity: "user", entityId: 9, op: "create" }));
    // Then a change it does act on, to know the first was handled.
    stream.send(
      change({ entity: "user", entityId: 5, op: "update", version: 3, fields: { name: ["Ann", "Ann Lee"] } }),
    );
    await screen.findByText("Ann Lee");
    expect(since("users.list")).toBe(0);
  });
});
