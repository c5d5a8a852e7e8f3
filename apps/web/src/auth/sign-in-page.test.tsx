import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiError, signedOut } from "../test/fake-api.ts";
import { currentPath, renderApp } from "../test/render.tsx";
import { fakeItem, fakeUser } from "../test/users.ts";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
  localStorage.clear();
  sessionStorage.clear();
});

const ann = fakeUser({ id: 5, name: "Ann", email: "ann@example.com" });
const token = "uis_the-session-token-the-cookie-carries";

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

/** A server with no session until auth.signIn answers `signIn`. */
function signedOutServer(signIn: () => unknown) {
  let me: typeof ann | null = null;
  return {
    "auth.me": () => {
      if (!me) throw signedOut();
      return me;
    },
    "auth.signIn": () => {
      const answer = signIn();
      me = ann;
      return answer;
    },
    "users.byId": () => ({ ...ann, items: [fakeItem({ id: 1, title: "Notebook", ownerId: 5 })] }),
  };
}

describe("SignInPage", () => {
  it("checks the fields with the server's schema before calling it, beside each field", async () => {
    const { calls } = renderApp(
      "/signin",
      signedOutServer(() => ({ user: ann, token })),
    );
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    fill("Email", "not-an-email");
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    const email = screen.getByLabelText("Email");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(email.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Enter a valid email address",
    );
    const password = screen.getByLabelText("Password");
    expect(password.getAttribute("type")).toBe("password");
    expect(document.getElementById(password.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Required",
    );
    await waitFor(() => expect(document.activeElement).toBe(email));
    expect(calls.map((call) => call.path)).toEqual(["auth.me"]);
  });

  it("signs in and lands on the person's own page with their items, keeping no token in script", async () => {
    const { calls, requestHeaders, queryClient } = renderApp(
      "/signin",
      signedOutServer(() => ({ user: ann, token })),
    );
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    fill("Email", " Ann@Example.com ");
    fill("Password", "correct horse");
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Ann" })).toBeTruthy();
    expect(currentPath()).toBe("/users/5");
    expect(await screen.findByText("Notebook")).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Account" }).textContent).toContain("Signed in as Ann");
    expect(calls.find((call) => call.path === "auth.signIn")?.input).toEqual({
      email: "ann@example.com",
      password: "correct horse",
    });

    // The session is the HttpOnly cookie: the answer's token is kept nowhere a script could find it.
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
    const cached = JSON.stringify([
      queryClient
        .getQueryCache()
        .getAll()
        .map((query) => query.state),
      queryClient
        .getMutationCache()
        .getAll()
        .map((mutation) => mutation.state),
    ]);
    expect(cached).toContain("ann@example.com");
    expect(cached).not.toContain(token);
    expect(requestHeaders.every((headers) => !headers.has("authorization"))).toBe(true);
  });

  it("says 'Wrong email or password' once, beside neither field", async () => {
    renderApp(
      "/signin",
      signedOutServer(() => {
        throw new FakeApiError("UNAUTHORIZED", "Wrong email or password");
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    fill("Email", "ann@example.com");
    fill("Password", "wrong password");
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Wrong email or password");
    expect(screen.getAllByText("Wrong email or password")).toHaveLength(1);
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBeNull();
    expect(currentPath()).toBe("/signin");
  });

  it("says how long to wait after too many failures (429 with Retry-After)", async () => {
    renderApp(
      "/signin",
      signedOutServer(() => {
        throw new FakeApiError("TOO_MANY_REQUESTS", "Too many failed sign-ins: try again in 840 seconds", {
          headers: { "retry-after": "840" },
        });
      }),
    );
    await screen.findByRole("heading", { level: 1, name: "Sign in" });
    fill("Email", "ann@example.com");
    fill("Password", "another guess");
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect((await screen.findByRole("alert")).textContent).toBe(
      "Too many failed attempts. Try again in 14 minutes.",
    );
  });
});
