import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testAdmin } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { buildWebApp, webRoot } from "./build-web-app.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

const outputDir = join(webRoot, "e2e", "output");
const docsScreenshots = join(webRoot, "..", "..", "docs", "screenshots");

const ann = { name: "Ann Lee", email: "ann@example.com", password: "ann's long passphrase" };
const bob = { name: "Bob Stone", email: "bob@example.com", password: "bob's passphrase, set by an admin" };
const cy = { name: "Cy Park", email: "cy@example.com", password: "cy's first passphrase" };
const cyNewPassword = "cy's second passphrase";

// People's sessions, step by step, in real Chromium against the built app served by the real
// server on a fresh database, which starts with an admin (ADMIN_EMAIL/ADMIN_PASSWORD, see the
// server's test harness). Each person has their own browser context (their own cookies); the
// steps share them, so they run in order.
describe.skipIf(noBrowser)("the web app in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let annContext: BrowserContext;
  let page: Page;
  let adminContext: BrowserContext;
  let adminPage: Page;
  let annId: number;
  let cyContext: BrowserContext;
  let cyPage: Page;
  /** Every request any page sent with an Authorization header: the web app must send none. */
  const authorizationHeaders: string[] = [];

  async function newPerson(): Promise<[BrowserContext, Page]> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const newPage = await context.newPage();
    newPage.on("request", (request) => {
      const header = request.headers().authorization;
      if (header !== undefined) authorizationHeaders.push(`${request.url()}: ${header}`);
    });
    return [context, newPage];
  }

  beforeAll(async () => {
    await buildWebApp();
    server = await startTestServer();
    browser = await launchBrowser();
    [annContext, page] = await newPerson();
    [adminContext, adminPage] = await newPerson();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.[Symbol.asyncDispose]();
  });

  /** Saves to e2e/output/; the README's one goes to docs/screenshots/ with UPDATE_SCREENSHOTS=1. */
  async function screenshot(on: Page, name: string, { forDocs = false } = {}) {
    mkdirSync(outputDir, { recursive: true });
    const file = join(outputDir, name);
    await on.screenshot({ path: file, fullPage: !forDocs });
    if (forDocs && process.env.UPDATE_SCREENSHOTS === "1") copyFileSync(file, join(docsScreenshots, name));
  }

  const pathOf = (on: Page) => new URL(on.url()).pathname;

  /** The session as a script in the page could find it: the cookie must not be there (HttpOnly). */
  async function visibleToScripts(on: Page) {
    return on.evaluate(() => ({
      cookie: document.cookie,
      localStorage: Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`),
      sessionStorage: Object.keys(sessionStorage).map((key) => `${key}=${sessionStorage.getItem(key)}`),
    }));
  }

  async function signIn(on: Page, email: string, password: string) {
    await on.getByLabel("Email").fill(email);
    await on.getByLabel("Password").fill(password);
    await on.getByRole("button", { name: "Sign in" }).click();
  }

  it("sends a newcomer to the sign-in page, which links to sign-up", async () => {
    await page.goto(`${server.url}/users/1`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(pathOf(page)).toBe("/signin");
    await page.getByRole("link", { name: "Sign up" }).click();
    await page.getByRole("heading", { level: 1, name: "Create an account" }).waitFor();
    expect(pathOf(page)).toBe("/signup");
  });

  it("shows a taken email beside the Email field, and creates nothing", async () => {
    await page.getByLabel("Name").fill(ann.name);
    await page.getByLabel("Email").fill(testAdmin.email.toUpperCase());
    await page.getByLabel("Password").fill(ann.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    const message = `A user with email ${testAdmin.email} already exists`;
    await page.getByText(message).waitFor();
    const email = page.getByLabel("Email");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await email.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(message);
    expect(await server.count("users")).toBe(1);
  });

  it("signs the newcomer up onto their own page, the session in an HttpOnly cookie only", async () => {
    await page.getByLabel("Email").fill(" Ann@Example.com ");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    expect(pathOf(page)).toMatch(/^\/users\/\d+$/);
    annId = Number(pathOf(page).split("/").pop());
    await page.getByText("No items yet.").waitFor();
    expect(await page.getByRole("navigation", { name: "Account" }).textContent()).toContain(
      `Signed in as ${ann.name}`,
    );
    expect(await server.count("users")).toBe(2);

    const cookies = await annContext.cookies();
    expect(cookies.map(({ name, httpOnly, sameSite }) => ({ name, httpOnly, sameSite }))).toEqual([
      { name: "sid", httpOnly: true, sameSite: "Lax" },
    ]);
    expect(await visibleToScripts(page)).toEqual({ cookie: "", localStorage: [], sessionStorage: [] });
    expect(authorizationHeaders).toEqual([]);
  });

  it("shows a person who is not an admin no users list: / is their own page", async () => {
    expect(await page.getByRole("link", { name: /all users/i }).count()).toBe(0);
    await page.goto(server.url);
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    expect(pathOf(page)).toBe(`/users/${annId}`);
    expect(await page.getByRole("link", { name: /all users/i }).count()).toBe(0);

    await page.goto(`${server.url}/users/1`);
    await page.getByText("There is no user 1: it may have been deleted.").waitFor();
    await page.getByRole("link", { name: "Back to your page" }).click();
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
  });

  it("adds, edits and deletes an item, and a reload keeps the data", async () => {
    const items = page.getByRole("list", { name: "Items" });
    await page.getByLabel("Title").fill("Notebook");
    await page.getByLabel("Description").fill("A5, dotted");
    await page.getByRole("button", { name: "Add item" }).click();
    await items.getByText("Notebook", { exact: true }).waitFor();
    await page.getByLabel("Title").fill("Pen");
    await page.getByRole("button", { name: "Add item" }).click();
    await items.getByText("Pen", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Edit Notebook" }).click();
    const editForm = page.getByRole("form", { name: "Edit Notebook" });
    await editForm.getByLabel("Title").fill("Notebook, squared");
    await editForm.getByRole("button", { name: "Save item" }).click();
    await items.getByText("Notebook, squared", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Delete Pen" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete item" }).click();
    await items.getByText("Pen", { exact: true }).waitFor({ state: "detached" });
    expect(await server.count("items")).toBe(1);

    await page.reload();
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    await items.getByText("Notebook, squared", { exact: true }).waitFor();
    expect(await items.getByText("A5, dotted", { exact: true }).count()).toBe(1);
    expect(await items.getByRole("listitem").count()).toBe(1);
    await screenshot(page, "user.png");
  });

  it("saves an edit, and tells the person when someone else changed the user first", async () => {
    const details = page.getByRole("form", { name: "Edit user" });
    await details.getByLabel("Name").fill("Ann B. Lee");
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { level: 1, name: "Ann B. Lee" }).waitFor();
    // The header follows the person's own new name.
    await page.getByRole("navigation", { name: "Account" }).getByText("Ann B. Lee").waitFor();

    // Ann is typing when the admin renames her: the change shows live in the heading, and the
    // form keeps what she typed and says it is out of date (before live updates, the admin's
    // change could also arrive first and simply be shown: this order keeps the test one path).
    await details.getByLabel("Email").fill("ann.lee@example.com");
    await server.client.users.update.mutate({ id: annId, name: ann.name });
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    await details.getByText("This user was just changed elsewhere").waitFor();
    expect(await details.getByLabel("Email").inputValue()).toBe("ann.lee@example.com");
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.getByText(/someone else changed this user/i).waitFor();
    expect(await details.getByLabel("Email").inputValue()).toBe(ann.email);
    await page.getByRole("navigation", { name: "Account" }).getByText(ann.name, { exact: true }).waitFor();
  });

  it("fits a phone's width", async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, "user-phone.png");
    await page.setViewportSize({ width: 1000, height: 760 });
  });

  it("signs out: the cookie is gone and pages ask to sign in", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(pathOf(page)).toBe("/signin");
    expect(await annContext.cookies()).toEqual([]);

    await page.goto(`${server.url}/users/${annId}`);
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    expect(pathOf(page)).toBe("/signin");
  });

  it("says a wrong password once, without saying which field was wrong", async () => {
    await signIn(page, ann.email, "not ann's passphrase");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe("Wrong email or password");
    expect(await page.getByText("Wrong email or password").count()).toBe(1);
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBeNull();
    expect(await page.getByLabel("Password").getAttribute("aria-invalid")).toBeNull();
    expect(pathOf(page)).toBe("/signin");
    await screenshot(page, "signin.png");
  });

  it("signs back in onto their own page, with the item they added", async () => {
    await signIn(page, ann.email, ann.password);
    await page.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    expect(pathOf(page)).toBe(`/users/${annId}`);
    await page.getByRole("list", { name: "Items" }).getByText("Notebook, squared", { exact: true }).waitFor();
    expect(await visibleToScripts(page)).toEqual({ cookie: "", localStorage: [], sessionStorage: [] });
  });

  it("says how long to wait after too many failed sign-ins", async () => {
    const [context, stranger] = await newPerson();
    await stranger.goto(`${server.url}/signin`);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await signIn(stranger, "mallory@example.com", `guess number ${attempt}`);
      await stranger.getByText("Wrong email or password").waitFor();
      await stranger.getByLabel("Password").fill("");
    }
    await signIn(stranger, "mallory@example.com", "guess number 6");
    await stranger.getByText("Too many failed attempts. Try again in 15 minutes.").waitFor();
    await context.close();
  });

  it("shows an admin the users list, which a normal user never saw", async () => {
    await adminPage.goto(server.url);
    await adminPage.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await signIn(adminPage, testAdmin.email, testAdmin.password);
    await adminPage.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
    expect(pathOf(adminPage)).toBe("/users/1");
    expect((await adminContext.cookies()).map(({ name, httpOnly }) => ({ name, httpOnly }))).toEqual([
      { name: "sid", httpOnly: true },
    ]);
    expect(await visibleToScripts(adminPage)).toEqual({ cookie: "", localStorage: [], sessionStorage: [] });

    await adminPage.getByRole("link", { name: "All users", exact: true }).click();
    await adminPage.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    expect(pathOf(adminPage)).toBe("/");
    const list = adminPage.getByRole("list", { name: "Users" });
    await list.getByRole("link", { name: /Ann Lee/ }).waitFor();
    expect(await list.getByRole("listitem").count()).toBe(2);
  });

  it("lets an admin create users, and shows a duplicate email beside the Email field", async () => {
    const list = adminPage.getByRole("list", { name: "Users" });
    await adminPage.getByLabel("Name").fill("Bob Stone");
    await adminPage.getByLabel("Email").fill("bob@example.com");
    await adminPage.getByRole("button", { name: "Create user" }).click();
    await list.getByRole("link", { name: /Bob Stone/ }).waitFor();
    // No password given: the admin is told Bob cannot sign in yet.
    await adminPage.getByText("Created Bob Stone. They cannot sign in until a password is set.").waitFor();

    await adminPage.getByLabel("Name").fill("Ann Again");
    await adminPage.getByLabel("Email").fill("ANN@example.com");
    await adminPage.getByRole("button", { name: "Create user" }).click();
    const email = adminPage.getByLabel("Email");
    await adminPage.getByText("A user with email ann@example.com already exists").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await email.getAttribute("aria-describedby");
    expect(await adminPage.locator(`[id="${describedBy}"]`).textContent()).toContain("already exists");
    expect(await server.count("users")).toBe(3);
    await screenshot(adminPage, "users.png", { forDocs: true });
  });

  it("searches as you type", async () => {
    await adminPage.getByLabel("Search users").fill("bob");
    const list = adminPage.getByRole("list", { name: "Users" });
    await list.getByRole("link", { name: /Ann Lee/ }).waitFor({ state: "detached" });
    expect(await list.getByRole("listitem").count()).toBe(1);
    await adminPage.getByLabel("Search users").fill("nobody");
    await adminPage.getByText("No users match “nobody”.").waitFor();
    await adminPage.getByLabel("Search users").fill("");
    await list.getByRole("link", { name: /Ann Lee/ }).waitFor();
  });

  it("lets an admin add an item to someone else's page", async () => {
    await adminPage.getByRole("link", { name: /Ann Lee/ }).click();
    await adminPage.getByRole("heading", { level: 1, name: ann.name }).waitFor();
    expect(pathOf(adminPage)).toBe(`/users/${annId}`);
    await adminPage.getByLabel("Title").fill("Stapler");
    await adminPage.getByRole("button", { name: "Add item" }).click();
    await adminPage.getByRole("list", { name: "Items" }).getByText("Stapler", { exact: true }).waitFor();
    const { items } = await server.client.users.byId.query({ id: annId });
    expect(items?.map((item) => item.title)).toEqual(["Notebook, squared", "Stapler"]);
  });

  it("deletes a user after confirmation, which ends their session in their own browser", async () => {
    await adminPage.getByRole("button", { name: "Delete user" }).click();
    await adminPage.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await server.count("users")).toBe(3);

    await adminPage.getByRole("button", { name: "Delete user" }).click();
    await adminPage.getByRole("dialog").getByRole("button", { name: "Delete user" }).click();
    await adminPage.getByText(`Deleted ${ann.name}.`).waitFor();
    expect(pathOf(adminPage)).toBe("/");
    expect(await server.count("users")).toBe(2);
    expect(await server.count("items")).toBe(0);

    // Ann's tab goes to the sign-in page by itself, without her doing anything: her change
    // stream ends with UNAUTHORIZED when her session does (it used to wait for her next call).
    await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: 5_000 });
    await page.getByText("Your session has ended. Sign in again.").waitFor();
    expect(pathOf(page)).toBe("/signin");
  });

  it("answers a deep link to a missing user with not found", async () => {
    await adminPage.goto(`${server.url}/users/999`);
    await adminPage.getByText("There is no user 999: it may have been deleted.").waitFor();
  });

  it("says so when the API cannot be reached", async () => {
    await adminPage.route("**/trpc/**", (route) => route.abort("connectionrefused"));
    await adminPage.goto(server.url);
    await adminPage.getByText("Can't reach the API").waitFor({ timeout: 15_000 });
    await adminPage.unroute("**/trpc/**");
    await adminPage.getByRole("button", { name: "Try again" }).click();
    await adminPage.getByRole("link", { name: /Bob Stone/ }).waitFor();
  });

  it("lets an admin create an account with a password, and that person signs in", async () => {
    await adminPage.goto(server.url);
    const form = adminPage.getByRole("form", { name: "New user" });
    await form.getByLabel("Name").fill(cy.name);
    await form.getByLabel("Email").fill(cy.email);
    const password = form.getByLabel("Password");
    expect(await password.getAttribute("type")).toBe("password");
    expect(await password.getAttribute("autocomplete")).toBe("new-password");
    await password.fill(cy.password);
    expect(await form.getByLabel("Role").inputValue()).toBe("user");
    await form.getByRole("button", { name: "Create user" }).click();
    await form.getByRole("status").getByText(`Created ${cy.name}.`, { exact: true }).waitFor();
    expect(await form.getByRole("status").textContent()).toBe(`Created ${cy.name}.`);
    expect(await password.inputValue()).toBe("");

    [cyContext, cyPage] = await newPerson();
    await cyPage.goto(`${server.url}/signin`);
    await signIn(cyPage, cy.email, cy.password);
    await cyPage.getByRole("heading", { level: 1, name: cy.name }).waitFor();
    expect(pathOf(cyPage)).toMatch(/^\/users\/\d+$/);
    // A plain user, the default role: no users list.
    expect(await cyPage.getByRole("link", { name: /all users/i }).count()).toBe(0);
  });

  it("changes a user's own password: a wrong current one is said beside its field, then only the new one signs in", async () => {
    // An admin's fields are not a user's: no role or password in the details form.
    const details = cyPage.getByRole("form", { name: "Edit user" });
    expect(await details.getByLabel("Role").count()).toBe(0);
    expect(await details.getByLabel(/password/i).count()).toBe(0);

    const form = cyPage.getByRole("form", { name: "Change password" });
    const current = form.getByLabel("Current password");
    await current.fill("not cy's passphrase");
    await form.getByLabel("New password").fill(cyNewPassword);
    await form.getByRole("button", { name: "Change password" }).click();
    const message = "The current password is wrong";
    await form.getByText(message).waitFor();
    expect(await current.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await current.getAttribute("aria-describedby");
    expect(await cyPage.locator(`[id="${describedBy}"]`).textContent()).toBe(message);
    expect(await form.getByLabel("New password").getAttribute("aria-invalid")).toBeNull();

    await current.fill(cy.password);
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("Password changed. Your other sessions are signed out.").waitFor();
    expect(await current.inputValue()).toBe("");
    // This session is kept: a reload still shows Cy's page.
    await cyPage.reload();
    await cyPage.getByRole("heading", { level: 1, name: cy.name }).waitFor();

    await cyPage.getByRole("button", { name: "Sign out" }).click();
    await cyPage.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    await signIn(cyPage, cy.email, cy.password);
    await cyPage.getByText("Wrong email or password").waitFor();
    await signIn(cyPage, cy.email, cyNewPassword);
    await cyPage.getByRole("heading", { level: 1, name: cy.name }).waitFor();
    await cyContext.close();
  });

  it("lets an admin give an account without a password one, and a role; its owner then signs in", async () => {
    const [bobContext, bobPage] = await newPerson();
    await bobPage.goto(`${server.url}/signin`);
    await signIn(bobPage, bob.email, bob.password);
    await bobPage.getByText("Wrong email or password").waitFor();

    await adminPage.goto(server.url);
    await adminPage.getByRole("link", { name: /Bob Stone/ }).click();
    await adminPage.getByRole("heading", { level: 1, name: bob.name }).waitFor();
    // Someone else's page: the admin sets a password without knowing the current one.
    expect(await adminPage.getByRole("form", { name: "Change password" }).count()).toBe(0);
    const details = adminPage.getByRole("form", { name: "Edit user" });
    await details.getByLabel("Role").selectOption("admin");
    const password = details.getByLabel("New password");
    expect(await password.getAttribute("type")).toBe("password");
    expect(await password.getAttribute("autocomplete")).toBe("new-password");
    await password.fill(bob.password);
    await screenshot(adminPage, "user-as-admin.png");
    await details.getByRole("button", { name: "Save changes" }).click();
    await adminPage.getByText("Saved.").waitFor();
    await adminPage.getByText(`${bob.email} · admin`).waitFor();
    expect(await details.getByLabel("New password").inputValue()).toBe("");

    await signIn(bobPage, bob.email, bob.password);
    await bobPage.getByRole("heading", { level: 1, name: bob.name }).waitFor();
    await bobPage.getByRole("link", { name: "All users", exact: true }).waitFor();
    await bobContext.close();
  });

  it("never sent an Authorization header: the cookie was the only credential", () => {
    expect(authorizationHeaders).toEqual([]);
  });
});
