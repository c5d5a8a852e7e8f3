import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { buildWebApp, webRoot } from "./build-web-app.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

const outputDir = join(webRoot, "e2e", "output");
const docsScreenshots = join(webRoot, "..", "..", "docs", "screenshots");

// One person's session, step by step, in real Chromium against the built app served by the real
// server on a fresh database. The steps share the page, so they run in order.
describe.skipIf(noBrowser)("the web app in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildWebApp();
    server = await startTestServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.[Symbol.asyncDispose]();
  });

  /** Saves to e2e/output/; the README's one goes to docs/screenshots/ with UPDATE_SCREENSHOTS=1. */
  async function screenshot(name: string, { forDocs = false } = {}) {
    mkdirSync(outputDir, { recursive: true });
    const file = join(outputDir, name);
    await page.screenshot({ path: file, fullPage: !forDocs });
    if (forDocs && process.env.UPDATE_SCREENSHOTS === "1") copyFileSync(file, join(docsScreenshots, name));
  }

  it("creates a user and lists it", async () => {
    await page.goto(server.url);
    await page.getByText("No users yet").waitFor();
    await page.getByLabel("Name").fill("Ann Lee");
    await page.getByLabel("Email").fill(" Ann@Example.com ");
    await page.getByRole("button", { name: "Create user" }).click();
    await page
      .getByRole("list", { name: "Users" })
      .getByRole("link", { name: /Ann Lee/ })
      .waitFor();
    await expect(page.getByRole("list", { name: "Users" }).textContent()).resolves.toContain(
      "ann@example.com",
    );
    expect(await server.count("users")).toBe(1);
  });

  it("shows a duplicate email beside the Email field, and creates nothing", async () => {
    await page.getByLabel("Name").fill("Bob Stone");
    await page.getByLabel("Email").fill("bob@example.com");
    await page.getByRole("button", { name: "Create user" }).click();
    await page
      .getByRole("list", { name: "Users" })
      .getByRole("link", { name: /Bob Stone/ })
      .waitFor();

    await page.getByLabel("Name").fill("Ann Again");
    await page.getByLabel("Email").fill("ANN@example.com");
    await page.getByRole("button", { name: "Create user" }).click();
    const email = page.getByLabel("Email");
    await page.getByText("A user with email ann@example.com already exists").waitFor();
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    const describedBy = await email.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain("already exists");
    expect(await server.count("users")).toBe(2);
    await screenshot("users.png", { forDocs: true });
  });

  it("searches as you type", async () => {
    await page.getByLabel("Search users").fill("bob");
    const list = page.getByRole("list", { name: "Users" });
    await list.getByRole("link", { name: /Ann Lee/ }).waitFor({ state: "detached" });
    expect(await list.getByRole("listitem").count()).toBe(1);
    await page.getByLabel("Search users").fill("nobody");
    await page.getByText("No users match “nobody”.").waitFor();
    await page.getByLabel("Search users").fill("");
    await list.getByRole("link", { name: /Ann Lee/ }).waitFor();
  });

  it("opens a user on its own URL", async () => {
    await page.getByRole("link", { name: /Ann Lee/ }).click();
    await page.getByRole("heading", { level: 1, name: "Ann Lee" }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/users\/\d+$/);
    await page.getByText("No items yet.").waitFor();
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
    await page.getByRole("heading", { level: 1, name: "Ann Lee" }).waitFor();
    await items.getByText("Notebook, squared", { exact: true }).waitFor();
    expect(await items.getByText("A5, dotted", { exact: true }).count()).toBe(1);
    expect(await items.getByRole("listitem").count()).toBe(1);
    await screenshot("user.png");
  });

  it("saves an edit, and tells the person when someone else changed the user first", async () => {
    const details = page.getByRole("form", { name: "Edit user" });
    await details.getByLabel("Name").fill("Ann B. Lee");
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { level: 1, name: "Ann B. Lee" }).waitFor();

    const id = Number(new URL(page.url()).pathname.split("/").pop());
    await server.client.users.update.mutate({ id, name: "Ann Changed Elsewhere" });
    await details.getByLabel("Email").fill("ann.lee@example.com");
    await details.getByRole("button", { name: "Save changes" }).click();
    await page.getByText(/someone else changed this user/i).waitFor();
    await page.getByRole("heading", { level: 1, name: "Ann Changed Elsewhere" }).waitFor();
    expect(await details.getByLabel("Email").inputValue()).toBe("ann@example.com");
  });

  it("fits a phone's width", async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot("user-phone.png");
    await page.setViewportSize({ width: 1000, height: 760 });
  });

  it("deletes the user after confirmation", async () => {
    await page.getByRole("button", { name: "Delete user" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await server.count("users")).toBe(2);

    await page.getByRole("button", { name: "Delete user" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete user" }).click();
    await page.getByText("Deleted Ann Changed Elsewhere.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await server.count("users")).toBe(1);
    expect(await server.count("items")).toBe(0);
  });

  it("answers a deep link to a missing user with not found", async () => {
    await page.goto(`${server.url}/users/999`);
    await page.getByText("There is no user 999: it may have been deleted.").waitFor();
  });

  it("says so when the API cannot be reached", async () => {
    await page.route("**/trpc/**", (route) => route.abort("connectionrefused"));
    await page.goto(server.url);
    await page.getByText("Can't reach the API").waitFor({ timeout: 15_000 });
    await page.unroute("**/trpc/**");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("link", { name: /Bob Stone/ }).waitFor();
  });
});
