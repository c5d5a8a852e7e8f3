import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiError } from "../test/fake-api.ts";
import { renderWithApi } from "../test/render.tsx";
import { fakeUser } from "../test/users.ts";
import { UserPage } from "./user-page.tsx";

afterEach(cleanup);

describe("UserPage", () => {
  it("tells the person when someone else changed the user, and shows the fresh data", async () => {
    let current = fakeUser({ id: 3, name: "Ann", email: "ann@example.com", version: 1 });
    const { calls } = renderWithApi(<UserPage id={3} />, {
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
    renderWithApi(<UserPage id={4} />, { "users.byId": () => ({ ...user, items: [item] }) });
    expect(await screen.findByText("Notebook")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Edit Notebook" })).toBeTruthy();
    cleanup();

    renderWithApi(<UserPage id={4} />, { "users.byId": () => user });
    expect(await screen.findByText("No items yet.")).toBeTruthy();
  });
});
