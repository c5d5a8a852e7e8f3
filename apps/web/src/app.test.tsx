import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { sessionKey } from "./auth/session.ts";
import { FakeApiError, type FakeProcedure, signedOut } from "./test/fake-api.ts";
import { currentPath, renderApp } from "./test/render.tsx";
import { fakeItem, fakeUser } from "./test/users.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const ann = fakeUser({ id: 5, name: "Ann", email: "ann@example.com" });
const admin = fakeUser({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });

/** A server where `me` is signed in (null: no one), with users' pages and a users list. */
function server(me: typeof ann | null, extra: Record<string, FakeProcedure> = {}) {
  const people = [admin, ann];
  return {
    "auth.me": () => {
      if (!me) throw signedOut();
      return me;
    },
    "auth.signOut": () => ({ signedOut: true }),
    "users.byId": (input: unknown) => {
      const id = (input as { id: number }).id;
      const user = people.find((person) => person.id === id);
      if (!user) throw new FakeApiError("NOT_FOUND", `User ${id} not found`);
      return user;
    },
    "users.list": () => ({ items: people, nextCursor: null }),
    ...extra,
  };
}

describe("App, signed out", () => {
  it("asks auth.me on start, and on a 401 shows the sign-in page at /signin for any page", async () => {
    const { calls } = renderApp("/users/5", server(null));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(currentPath()).toBe("/signin");
    expect(calls.map((call) => call.path)).toEqual(["auth.me"]);
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
  });

  it("keeps /signup, and the two pages link to each other", async () => {
    renderApp("/signup", server(null));
    expect(await screen.findByRole("heading", { level: 1, name: "Create an account" })).toBeTruthy();
    expect(currentPath()).toBe("/signup");

    fireEvent.click(screen.getByRole("link", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(currentPath()).toBe("/signin");

    fireEvent.click(screen.getByRole("link", { name: "Sign up" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Create an account" })).toBeTruthy();
    expect(currentPath()).toBe("/signup");
  });
});

describe("App, signed in", () => {
  it("sends a person who is not an admin from / to their own page, with no users list link", async () => {
    renderApp("/", server(ann));
    expect(await screen.findByRole("heading", { level: 1, name: "Ann" })).toBeTruthy();
    expect(currentPath()).toBe("/users/5");
    const account = screen.getByRole("navigation", { name: "Account" });
    expect(account.textContent).toContain("Signed in as Ann");
    expect(screen.queryByRole("link", { name: /all users/i })).toBeNull();
    expect(screen.getByRole("link", { name: "Users & items" }).getAttribute("href")).toBe("/users/5");
  });

  it("shows an admin the users list at /, and a link to it on every page", async () => {
    renderApp("/", server(admin));
    expect(await screen.findByRole("heading", { level: 1, name: "Users" })).toBeTruthy();
    expect(currentPath()).toBe("/");
    const list = await screen.findByRole("list", { name: "Users" });
    expect(within(list).getByRole("link", { name: /Ann/ }).getAttribute("href")).toBe("/users/5");

    fireEvent.click(within(list).getByRole("link", { name: /Ann/ }));
    expect(await screen.findByRole("heading", { level: 1, name: "Ann" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "← All users" }).getAttribute("href")).toBe("/");
    expect(screen.getByRole("link", { name: "All users" }).getAttribute("href")).toBe("/");
  });

  it("leads a signed-in person from /signin and /signup to their own page", async () => {
    renderApp("/signin", server(ann));
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    expect(currentPath()).toBe("/users/5");
    cleanup();

    renderApp("/signup", server(ann));
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    expect(currentPath()).toBe("/users/5");
  });

  it("says another user's page is not found, with a way back to their own", async () => {
    renderApp("/users/1", {
      ...server(ann),
      "users.byId": () => {
        throw new FakeApiError("NOT_FOUND", "User 1 not found");
      },
    });
    expect(await screen.findByText("There is no user 1: it may have been deleted.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Back to your page" }).getAttribute("href")).toBe("/users/5");
  });

  it("says a page for an id beyond what the database stores is not found, without asking the server", async () => {
    for (const path of ["/users/2147483648", "/users/99999999999999999999"]) {
      const { calls } = renderApp(path, server(ann));
      expect(await screen.findByRole("heading", { level: 1, name: "Not found" })).toBeTruthy();
      expect(calls.map((call) => call.path)).toEqual(["auth.me"]);
      cleanup();
    }
    renderApp("/users/2147483647", server(ann));
    expect(await screen.findByText("There is no user 2147483647: it may have been deleted.")).toBeTruthy();
  });

  it("signs out: auth.signOut, an empty cache, and the sign-in page", async () => {
    const { calls, queryClient } = renderApp("/users/5", server(ann));
    await screen.findByRole("heading", { level: 1, name: "Ann" });
    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(currentPath()).toBe("/signin");
    expect(calls.map((call) => call.path)).toContain("auth.signOut");
    const cached = queryClient.getQueryCache().getAll();
    expect(cached.map((query) => [query.queryKey, query.state.data])).toEqual([[sessionKey, null]]);
    expect(screen.queryByText("Ann")).toBeNull();
  });

  it("goes to the sign-in page when a later call answers 401 (the session ended elsewhere)", async () => {
    let sessionAlive = true;
    renderApp("/users/5", {
      ...server(ann),
      "users.byId": () => {
        if (!sessionAlive) throw signedOut();
        return { ...ann, items: [fakeItem({ id: 1, title: "Notebook", ownerId: 5 })] };
      },
      "items.delete": () => {
        sessionAlive = false;
        throw signedOut();
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Delete Notebook" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete item" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(currentPath()).toBe("/signin");
    expect(screen.getByRole("status").textContent).toBe("Your session has ended. Sign in again.");
  });

  it("signs out a person who deletes their own account", async () => {
    renderApp("/users/5", { ...server(ann), "users.delete": () => ({ id: 5 }) });
    await screen.findByRole("heading", { level: 2, name: "Delete your account" });
    fireEvent.click(screen.getByRole("button", { name: "Delete my account" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete my account" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Your account was deleted.");
  });
});

describe("App, when auth.me fails", () => {
  it("says so, with a way to try again, rather than calling the person signed out", async () => {
    let failing = true;
    renderApp("/", {
      ...server(ann),
      "auth.me": () => {
        if (failing) throw new FakeApiError("INTERNAL_SERVER_ERROR", "Internal server error");
        return ann;
      },
    });
    expect((await screen.findByRole("alert")).textContent).toContain("Something went wrong on the server");
    expect(screen.queryByRole("heading", { name: "Sign in" })).toBeNull();

    failing = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Ann" })).toBeTruthy();
  });
});
