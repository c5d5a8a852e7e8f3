import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { renderApp } from "../test/render.tsx";
import { fakeUser } from "../test/users.ts";
import { maxPages, readListLocation } from "./list-location.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const admin = fakeUser({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });
/** 45 people besides the admin: three pages of 20 when nothing is searched. */
const people = [
  admin,
  ...Array.from({ length: 45 }, (_, index) =>
    fakeUser({ id: index + 2, name: `Person ${index + 2}`, email: `person${index + 2}@example.com` }),
  ),
];

type ListInput = { limit: number; cursor?: number | null; search?: string };

/** `users.list` as the server answers it: by id, after the cursor, matching the search. */
function listUsers(input: unknown) {
  const { limit, cursor, search } = input as ListInput;
  const matching = people.filter(
    (person) =>
      person.id > (cursor ?? 0) &&
      (!search || `${person.name} ${person.email}`.toLowerCase().includes(search.toLowerCase())),
  );
  const items = matching.slice(0, limit);
  return { items, nextCursor: matching.length > limit ? (items.at(-1)?.id ?? null) : null };
}

function openUsers(path: string) {
  const { calls, live } = renderApp(path, { "auth.me": () => admin, "users.list": listUsers });
  // The change stream stays unanswered: these tests are about the address, and the reload once the
  // stream follows the feed (live-updates.test.tsx) would add calls of its own.
  live.hold();
  const listCalls = () =>
    calls.filter((call) => call.path === "users.list").map((call) => call.input as ListInput);
  return { listCalls };
}

const rows = async () => within(await screen.findByRole("list", { name: "Users" })).getAllByRole("listitem");
const searchBox = () => screen.getByLabelText<HTMLInputElement>("Search users");
const address = () => `${window.location.pathname}${window.location.search}`;

describe("the users list's place in the address", () => {
  it("opens at the address's search and number of pages, loading them one after the other", async () => {
    const { listCalls } = openUsers("/?search=person&pages=2");
    await waitFor(async () => expect(await rows()).toHaveLength(40));
    expect(searchBox().value).toBe("person");
    expect(listCalls().map(({ search, cursor }) => ({ search, cursor: cursor ?? null }))).toEqual([
      { search: "person", cursor: null },
      { search: "person", cursor: 21 },
    ]);
    expect(screen.getByRole("button", { name: "Load more" })).toBeTruthy();
  });

  it("records Load more in the current history entry: ?pages=2, no new entry", async () => {
    openUsers("/");
    expect(await rows()).toHaveLength(20);
    const entries = window.history.length;
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(async () => expect(await rows()).toHaveLength(40));
    expect(address()).toBe("/?pages=2");
    expect(window.history.length).toBe(entries);
  });

  it("puts a settled search in the address as one new entry for a round of typing, back at page 1", async () => {
    openUsers("/?pages=2");
    await waitFor(async () => expect(await rows()).toHaveLength(40));
    const entries = window.history.length;
    fireEvent.focus(searchBox());
    fireEvent.change(searchBox(), { target: { value: "person 1" } });
    await waitFor(() => expect(address()).toBe("/?search=person+1"));
    expect(window.history.length).toBe(entries + 1);
    // Still typing: the same entry follows.
    fireEvent.change(searchBox(), { target: { value: "person 12 " } });
    await waitFor(() => expect(address()).toBe("/?search=person+12"));
    expect(window.history.length).toBe(entries + 1);
    expect(await rows()).toHaveLength(1);
    // The box keeps what was typed, trailing space included.
    expect(searchBox().value).toBe("person 12 ");
    // Typing again later is a new entry.
    fireEvent.blur(searchBox());
    fireEvent.focus(searchBox());
    fireEvent.change(searchBox(), { target: { value: "admin" } });
    await waitFor(() => expect(address()).toBe("/?search=admin"));
    expect(window.history.length).toBe(entries + 2);
  });

  it("follows Back and Forward: the box and the list show the entry's search", async () => {
    const { listCalls } = openUsers("/?search=person+4");
    await waitFor(async () => expect(await rows()).toHaveLength(8));
    // What the browser does on Back: the address changes, then popstate.
    window.history.replaceState(null, "", "/?search=admin");
    window.dispatchEvent(new PopStateEvent("popstate"));
    await waitFor(async () => expect(await rows()).toHaveLength(1));
    expect(searchBox().value).toBe("admin");
    // The older search is not written back over the entry once the box settles.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(address()).toBe("/?search=admin");
    expect(listCalls().at(-1)?.search).toBe("admin");
  });

  it("reads an unusable number of pages as the first page, and caps a large one", () => {
    expect(readListLocation(new URLSearchParams("pages=abc"))).toEqual({ search: "", pages: 1 });
    expect(readListLocation(new URLSearchParams("pages=0"))).toEqual({ search: "", pages: 1 });
    expect(readListLocation(new URLSearchParams("pages=-2"))).toEqual({ search: "", pages: 1 });
    expect(readListLocation(new URLSearchParams("pages=1e3"))).toEqual({ search: "", pages: 1 });
    expect(readListLocation(new URLSearchParams("pages=100000000"))).toEqual({ search: "", pages: 1 });
    expect(readListLocation(new URLSearchParams("pages=9999&search=%20ann%20"))).toEqual({
      search: "ann",
      pages: maxPages,
    });
  });
});
