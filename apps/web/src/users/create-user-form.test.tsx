import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiError } from "../test/fake-api.ts";
import { renderWithApi } from "../test/render.tsx";
import { fakeUser } from "../test/users.ts";
import { CreateUserForm } from "./create-user-form.tsx";

afterEach(cleanup);

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("CreateUserForm", () => {
  it("checks the fields with the server's schema before calling it, and says why beside each field", async () => {
    const { calls } = renderWithApi(<CreateUserForm />, {});
    fill("Name", "   ");
    fill("Email", "not-an-email");
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    const name = screen.getByLabelText("Name");
    expect(name.getAttribute("aria-invalid")).toBe("true");
    const nameError = document.getElementById(name.getAttribute("aria-describedby") ?? "");
    expect(nameError?.textContent).toBe("Required");
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Enter a valid email address")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(calls).toEqual([]);
  });

  it("sends the trimmed, lower-cased values and confirms with a link to the new user", async () => {
    const { calls } = renderWithApi(<CreateUserForm />, {
      "users.create": () => fakeUser({ id: 7, name: "Ann", email: "ann@example.com" }),
      "users.list": () => ({ items: [], nextCursor: null }),
    });
    fill("Name", "  Ann ");
    fill("Email", " ANN@Example.com");
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    const link = await screen.findByRole("link", { name: "Ann" });
    expect(link.getAttribute("href")).toBe("/users/7");
    expect(calls[0]).toEqual({ path: "users.create", input: { name: "Ann", email: "ann@example.com" } });
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("");
  });

  it("shows a taken email beside the Email field, not as a generic alert", async () => {
    renderWithApi(<CreateUserForm />, {
      "users.create": () => {
        throw new FakeApiError("CONFLICT", "A user with email ann@example.com already exists");
      },
    });
    fill("Name", "Ann");
    fill("Email", "ann@example.com");
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    const error = await screen.findByText("A user with email ann@example.com already exists");
    const email = screen.getByLabelText("Email");
    expect(email.getAttribute("aria-describedby")).toBe(error.id);
    expect(screen.queryByRole("alert")).toBeNull();
    expect((email as HTMLInputElement).value).toBe("ann@example.com");
  });
});
