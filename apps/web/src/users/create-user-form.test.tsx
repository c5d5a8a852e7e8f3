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
    // No password and the default role: neither is sent, and the account is a plain user's.
    expect(calls[0]).toEqual({ path: "users.create", input: { name: "Ann", email: "ann@example.com" } });
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("");
    // Created without a password: the admin is told the person cannot sign in yet.
    expect(screen.getByRole("status").textContent).toBe(
      "Created Ann. They cannot sign in until a password is set.",
    );
  });

  it("has an optional password field, said to be needed for signing in, and a role that defaults to user", () => {
    renderWithApi(<CreateUserForm />, {});
    const password = screen.getByLabelText("Password (optional)") as HTMLInputElement;
    expect(password.type).toBe("password");
    expect(password.getAttribute("autocomplete")).toBe("new-password");
    const hint = document.getElementById(password.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toBe(
      "Without a password this person cannot sign in until one is set on their page.",
    );

    const role = screen.getByLabelText("Role") as HTMLSelectElement;
    expect(role.value).toBe("user");
    expect([...role.options].map((option) => option.value)).toEqual(["user", "admin"]);
  });

  it("sends the password as typed and the role chosen, then empties the form", async () => {
    const { calls } = renderWithApi(<CreateUserForm />, {
      "users.create": () => fakeUser({ id: 8, name: "Bo", email: "bo@example.com", role: "admin" }),
      "users.list": () => ({ items: [], nextCursor: null }),
    });
    fill("Name", "Bo");
    fill("Email", "bo@example.com");
    fill("Password (optional)", " bo's passphrase ");
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    expect((await screen.findByRole("status")).textContent).toBe("Created Bo.");
    expect(calls[0]).toEqual({
      path: "users.create",
      // Not trimmed: spaces belong to a passphrase, as the server's schema takes it.
      input: { name: "Bo", email: "bo@example.com", password: " bo's passphrase ", role: "admin" },
    });
    expect((screen.getByLabelText("Password (optional)") as HTMLInputElement).value).toBe("");
    expect((screen.getByLabelText("Role") as HTMLSelectElement).value).toBe("user");
  });

  it("refuses a password shorter than the server allows, beside the field, before calling it", async () => {
    const { calls } = renderWithApi(<CreateUserForm />, {});
    fill("Name", "Bo");
    fill("Email", "bo@example.com");
    fill("Password (optional)", "short");
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    const password = screen.getByLabelText("Password (optional)");
    expect(password.getAttribute("aria-invalid")).toBe("true");
    const described = (password.getAttribute("aria-describedby") ?? "").split(" ");
    expect(described.map((id) => document.getElementById(id)?.textContent)).toEqual([
      "At least 8 characters",
      "Without a password this person cannot sign in until one is set on their page.",
    ]);
    await waitFor(() => expect(document.activeElement).toBe(password));
    expect(calls).toEqual([]);
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
