import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiError } from "../test/fake-api.ts";
import { renderWithApi } from "../test/render.tsx";
import { fakeItem, fakeUser } from "../test/users.ts";
import { UserPage } from "./user-page.tsx";

afterEach(cleanup);

const admin = fakeUser({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });

describe("UserPage", () => {
  it("tells the person when someone else changed the user, and shows the fresh data", async () => {
    let current = fakeUser({ id: 3, name: "Ann", email: "ann@example.com", version: 1 });
    const { calls } = renderWithApi(<UserPage id={3} />, {
      "auth.me": () => admin,
      "users.byId": () => current,
      "users.update": () => {
        // Someone else saved first: the server is at version 2 now.
        current = { ...current, name: "Ann Lee", version: 2 };
        throw new FakeApiError(
          "CONFLICT",
          "User 3 was changed by someone else since version 1 (it is now at version 2)",
        );
      },
    });
    const name = await screen.findByLabelText("Name");
    fireEvent.change(name, { target: { value: "Annie" } });
    fireEvent.click(screen.getByRole("button", { name: "Save changes" }));

    expect((await screen.findByRole("alert")).textContent).toMatch(/someone else changed this user/i);
    expect(await screen.findByDisplayValue("Ann Lee")).toBeTruthy();
    expect(calls.find((call) => call.path === "users.update")?.input).toEqual({
      id: 3,
      version: 1,
      name: "Annie",
    });
  });

  it("says a missing user is not found", async () => {
    renderWithApi(<UserPage id={9} />, {
      "auth.me": () => admin,
      "users.byId": () => {
        throw new FakeApiError("NOT_FOUND", "User 9 not found");
      },
    });
    expect(await screen.findByText("There is no user 9: it may have been deleted.")).toBeTruthy();
  });

  it("shows the user's items, and an empty state without them", async () => {
    const user = fakeUser({ id: 4, name: "Bo", email: "bo@example.com" });
    const item = {
      id: 1,
      title: "Notebook",
      description: "A5, dotted",
      ownerId: 4,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
    renderWithApi(<UserPage id={4} />, {
      "auth.me": () => user,
      "users.byId": () => ({ ...user, items: [item] }),
    });
    expect(await screen.findByText("Notebook")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Edit Notebook" })).toBeTruthy();
    cleanup();

    renderWithApi(<UserPage id={4} />, { "auth.me": () => user, "users.byId": () => user });
    expect(await screen.findByText("No items yet.")).toBeTruthy();
  });

  it("links back to the users list for an admin only", async () => {
    const bo = fakeUser({ id: 4, name: "Bo", email: "bo@example.com" });
    renderWithApi(<UserPage id={4} />, { "auth.me": () => admin, "users.byId": () => bo });
    expect((await screen.findByRole("link", { name: "← All users" })).getAttribute("href")).toBe("/");
    expect(screen.getByRole("heading", { level: 2, name: "Delete this user" })).toBeTruthy();
    cleanup();

    renderWithApi(<UserPage id={4} />, { "auth.me": () => bo, "users.byId": () => bo });
    expect(await screen.findByRole("heading", { level: 2, name: "Delete your account" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "← All users" })).toBeNull();
  });

  it("adds an item to the page's user, naming them (an admin adds to others' pages)", async () => {
    const bo = fakeUser({ id: 4, name: "Bo", email: "bo@example.com" });
    const { calls } = renderWithApi(<UserPage id={4} />, {
      "auth.me": () => admin,
      "users.byId": () => bo,
      "items.create": () => fakeItem({ id: 1, title: "Pen", ownerId: 4 }),
    });
    fireEvent.change(await screen.findByLabelText("Title"), { target: { value: " Pen " } });
    fireEvent.click(screen.getByRole("button", { name: "Add item" }));
    await waitFor(() =>
      expect(calls.find((call) => call.path === "items.create")?.input).toEqual({ userId: 4, title: "Pen" }),
    );
  });
});
