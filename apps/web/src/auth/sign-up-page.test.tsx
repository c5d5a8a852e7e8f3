import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiError, signedOut } from "../test/fake-api.ts";
import { currentPath, renderApp } from "../test/render.tsx";
import { fakeUser } from "../test/users.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const bo = fakeUser({ id: 8, name: "Bo", email: "bo@example.com" });

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

function signedOutServer(signUp: () => unknown) {
  let me: typeof bo | null = null;
  return {
    "auth.me": () => {
      if (!me) throw signedOut();
      return me;
    },
    "auth.signUp": () => {
      const answer = signUp();
      me = bo;
      return answer;
    },
    "users.byId": () => bo,
  };
}

describe("SignUpPage", () => {
  it("checks name, email and password with the server's schema before calling it", async () => {
    const { calls } = renderApp(
      "/signup",
      signedOutServer(() => ({ user: bo, token: "uis_x" })),
    );
    await screen.findByRole("heading", { level: 1, name: "Create an account" });
    fill("Name", "  ");
    fill("Email", "bo@");
    fill("Password", "short");
    fireEvent.click(screen.getByRole("button", { name: "Sign up" }));

    const errorOf = (label: string) => {
      const input = screen.getByLabelText(label);
      expect(input.getAttribute("aria-invalid")).toBe("true");
      return document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent;
    };
    expect(errorOf("Name")).toBe("Required");
    expect(errorOf("Email")).toBe("Enter a valid email address");
    expect(errorOf("Password")).toBe("At least 8 characters");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Name")));
    expect(calls.map((call) => call.path)).toEqual(["auth.me"]);
  });

  it("creates the account and lands on the new person's page", async () => {
    const { calls } = renderApp(
      "/signup",
      signedOutServer(() => ({ user: bo, token: "uis_x" })),
    );
    await screen.findByRole("heading", { level: 1, name: "Create an account" });
    fill("Name", " Bo ");
    fill("Email", "BO@example.com");
    fill("Password", "  a passphrase  ");
    fireEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Bo" })).toBeTruthy();
    expect(currentPath()).toBe("/users/8");
    expect(await screen.findByText("No items yet.")).toBeTruthy();
    // Trimmed name and email; the password as typed, spaces included.
    expect(calls.find((call) => call.path === "auth.signUp")?.input).toEqual({
      name: "Bo",
      email: "bo@example.com",
      password: "  a passphrase  ",
    });
  });

  it("shows a taken email beside the Email field", async () => {
    renderApp(
      "/signup",
      signedOutServer(() => {
        throw new FakeApiError("CONFLICT", "A user with email bo@example.com already exists");
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Create an account" });
    fill("Name", "Bo");
    fill("Email", "bo@example.com");
    fill("Password", "a passphrase");
    fireEvent.click(screen.getByRole("button", { name: "Sign up" }));

    const error = await screen.findByText("A user with email bo@example.com already exists");
    expect(screen.getByLabelText("Email").getAttribute("aria-describedby")).toBe(error.id);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(currentPath()).toBe("/signup");
  });

  it("says so above the form when sign-up is closed", async () => {
    renderApp(
      "/signup",
      signedOutServer(() => {
        throw new FakeApiError("FORBIDDEN", "Sign-up is closed: ask an admin for an account");
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Create an account" });
    fill("Name", "Bo");
    fill("Email", "bo@example.com");
    fill("Password", "a passphrase");
    fireEvent.click(screen.getByRole("button", { name: "Sign up" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Sign-up is closed: ask an admin for an account",
    );
  });
});
