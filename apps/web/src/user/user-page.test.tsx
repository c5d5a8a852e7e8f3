import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
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

/** The texts an element's aria-describedby points at, in order: what a screen reader announces with it. */
function describedBy(element: HTMLElement): (string | null | undefined)[] {
  return (element.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent);
}

describe("UserPage, roles and passwords", () => {
  const bo = fakeUser({ id: 4, name: "Bo", email: "bo@example.com", version: 3 });

  it("lets an admin set someone's role and a new password, sending only what changed", async () => {
    let current = bo;
    const { calls } = renderWithApi(<UserPage id={4} />, {
      "auth.me": () => admin,
      "users.byId": () => current,
      "users.update": () => {
        current = { ...current, role: "admin", version: 4 };
        return current;
      },
      "users.list": () => ({ items: [], nextCursor: null }),
    });
    const form = within(await screen.findByRole("form", { name: "Edit user" }));
    const role = form.getByLabelText("Role") as HTMLSelectElement;
    expect(role.value).toBe("user");
    const password = form.getByLabelText("New password (optional)") as HTMLInputElement;
    expect(password.type).toBe("password");
    expect(password.getAttribute("autocomplete")).toBe("new-password");
    // Someone else's page: no form asking for the admin's own current password.
    expect(screen.queryByRole("form", { name: "Change password" })).toBeNull();

    fireEvent.change(role, { target: { value: "admin" } });
    fireEvent.change(password, { target: { value: "bo's new passphrase" } });
    fireEvent.click(form.getByRole("button", { name: "Save changes" }));

    // In the Details card (the History card below has a status of its own while it loads).
    const details = within(screen.getByRole("region", { name: "Details" }));
    expect((await details.findByRole("status")).textContent).toBe("Saved.");
    expect(calls.find((call) => call.path === "users.update")?.input).toEqual({
      id: 4,
      version: 3,
      role: "admin",
      password: "bo's new passphrase",
    });
    expect(screen.getByText(/bo@example\.com · admin/)).toBeTruthy();
    // The form shows the saved user again: the password is not kept in it.
    const fresh = within(screen.getByRole("form", { name: "Edit user" }));
    expect((fresh.getByLabelText("New password (optional)") as HTMLInputElement).value).toBe("");
    expect((fresh.getByLabelText("Role") as HTMLSelectElement).value).toBe("admin");
  });

  it("checks an admin's new password with the server's schema, beside the field", async () => {
    const { calls } = renderWithApi(<UserPage id={4} />, { "auth.me": () => admin, "users.byId": () => bo });
    const form = within(await screen.findByRole("form", { name: "Edit user" }));
    const password = form.getByLabelText("New password (optional)");
    fireEvent.change(password, { target: { value: "short" } });
    fireEvent.click(form.getByRole("button", { name: "Save changes" }));

    expect(password.getAttribute("aria-invalid")).toBe("true");
    expect(describedBy(password)).toEqual([
      "At least 8 characters",
      "Leave empty to keep their current password, if any.",
    ]);
    expect(calls.some((call) => call.path === "users.update")).toBe(false);
  });

  it("gives a user no role or password fields on their own page, but a Change password form", async () => {
    renderWithApi(<UserPage id={4} />, { "auth.me": () => bo, "users.byId": () => bo });
    const details = within(await screen.findByRole("form", { name: "Edit user" }));
    expect(details.queryByLabelText("Role")).toBeNull();
    expect(details.queryByLabelText(/password/i)).toBeNull();

    const change = within(screen.getByRole("form", { name: "Change password" }));
    const current = change.getByLabelText("Current password") as HTMLInputElement;
    const next = change.getByLabelText("New password") as HTMLInputElement;
    expect([current.type, current.getAttribute("autocomplete")]).toEqual(["password", "current-password"]);
    expect([next.type, next.getAttribute("autocomplete")]).toEqual(["password", "new-password"]);
  });

  it("gives an admin the Change password form on their own page, and no role to take away from themselves", async () => {
    renderWithApi(<UserPage id={1} />, { "auth.me": () => admin, "users.byId": () => admin });
    const details = within(await screen.findByRole("form", { name: "Edit user" }));
    expect(details.queryByLabelText("Role")).toBeNull();
    expect(details.queryByLabelText(/password/i)).toBeNull();
    expect(screen.getByRole("form", { name: "Change password" })).toBeTruthy();
  });

  it("changes the user's own password, then refetches the account (its version moved on)", async () => {
    let current = bo;
    const { calls } = renderWithApi(<UserPage id={4} />, {
      "auth.me": () => bo,
      "users.byId": () => current,
      "auth.changePassword": () => {
        current = { ...current, version: 4 };
        return { changed: true };
      },
    });
    const change = within(await screen.findByRole("form", { name: "Change password" }));
    fireEvent.change(change.getByLabelText("Current password"), { target: { value: "bo's old one" } });
    fireEvent.change(change.getByLabelText("New password"), { target: { value: " bo's new one " } });
    fireEvent.click(change.getByRole("button", { name: "Change password" }));

    expect((await change.findByRole("status")).textContent).toBe(
      "Password changed. Your other sessions are signed out.",
    );
    expect(calls.find((call) => call.path === "auth.changePassword")?.input).toEqual({
      currentPassword: "bo's old one",
      newPassword: " bo's new one ",
    });
    expect((change.getByLabelText("Current password") as HTMLInputElement).value).toBe("");
    expect((change.getByLabelText("New password") as HTMLInputElement).value).toBe("");
    // The next edit of the details sends the new version, not a stale one.
    await waitFor(() => expect(calls.filter((call) => call.path === "users.byId")).toHaveLength(2));
    const details = within(screen.getByRole("form", { name: "Edit user" }));
    fireEvent.change(details.getByLabelText("Name"), { target: { value: "Bob" } });
    fireEvent.click(details.getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(calls.find((call) => call.path === "users.update")?.input).toEqual({
        id: 4,
        version: 4,
        name: "Bob",
      }),
    );
  });

  it("shows a wrong current password beside the Current password field, and moves focus there", async () => {
    renderWithApi(<UserPage id={4} />, {
      "auth.me": () => bo,
      "users.byId": () => bo,
      "auth.changePassword": () => {
        throw new FakeApiError("BAD_REQUEST", "Invalid input", {
          fieldErrors: { currentPassword: ["The current password is wrong"] },
        });
      },
    });
    const change = within(await screen.findByRole("form", { name: "Change password" }));
    fireEvent.change(change.getByLabelText("Current password"), { target: { value: "not it at all" } });
    fireEvent.change(change.getByLabelText("New password"), { target: { value: "bo's new one" } });
    fireEvent.click(change.getByRole("button", { name: "Change password" }));

    const current = change.getByLabelText("Current password");
    await waitFor(() => expect(current.getAttribute("aria-invalid")).toBe("true"));
    expect(describedBy(current)).toEqual(["The current password is wrong"]);
    expect(change.getByLabelText("New password").getAttribute("aria-invalid")).toBeNull();
    expect(change.queryByRole("alert")).toBeNull();
    expect(change.queryByRole("status")).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(current));
  });

  it("checks the new password before calling the server, and says how long to wait when throttled", async () => {
    const { calls } = renderWithApi(<UserPage id={4} />, {
      "auth.me": () => bo,
      "users.byId": () => bo,
      "auth.changePassword": () => {
        throw new FakeApiError("TOO_MANY_REQUESTS", "Too many failed attempts: try again in 900 seconds", {
          headers: { "Retry-After": "900" },
        });
      },
    });
    const change = within(await screen.findByRole("form", { name: "Change password" }));
    fireEvent.change(change.getByLabelText("Current password"), { target: { value: "bo's old one" } });
    fireEvent.change(change.getByLabelText("New password"), { target: { value: "short" } });
    fireEvent.click(change.getByRole("button", { name: "Change password" }));
    expect(describedBy(change.getByLabelText("New password"))).toEqual([
      "At least 8 characters",
      "8 to 128 characters. Your other sessions will be signed out.",
    ]);
    expect(calls.some((call) => call.path === "auth.changePassword")).toBe(false);

    fireEvent.change(change.getByLabelText("New password"), { target: { value: "bo's new one" } });
    fireEvent.click(change.getByRole("button", { name: "Change password" }));
    expect((await change.findByRole("alert")).textContent).toBe(
      "Too many failed attempts. Try again in 15 minutes.",
    );
  });
});
