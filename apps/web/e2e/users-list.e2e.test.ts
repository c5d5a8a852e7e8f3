import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testAdmin } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { buildWebApp } from "./build-web-app.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

const colleague = { name: "Cleo Admin", email: "cleo@example.org", password: "cleo's admin passphrase" };

// The users list's search and how far down it the admin has loaded live in the address, so a
// reload, a link sent to a colleague and the browser's Back and Forward all show the same list.
describe.skipIf(noBrowser)("the users list's address in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  async function signedIn(email: string, password: string): Promise<[BrowserContext, Page]> {
    const newContext = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    const newPage = await newContext.newPage();
    await newPage.goto(`${server.url}/signin`);
    await newPage.getByLabel("Email").fill(email);
    await newPage.getByLabel("Password").fill(password);
    await newPage.getByRole("button", { name: "Sign in" }).click();
    await newPage.getByRole("link", { name: "All users", exact: true }).waitFor();
    return [newContext, newPage];
  }

  const list = (on: Page) => on.getByRole("list", { name: "Users" });
  const address = (on: Page) => {
    const url = new URL(on.url());
    return `${url.pathname}${url.search}`;
  };
  /** Waits until the list shows `count` rows, the last of them `lastName`. */
  async function showsRows(on: Page, count: number, lastName: string) {
    await list(on)
      .getByRole("listitem")
      .nth(count - 1)
      .getByText(lastName, { exact: true })
      .waitFor();
    expect(await list(on).getByRole("listitem").count()).toBe(count);
  }

  beforeAll(async () => {
    await buildWebApp();
    server = await startTestServer();
    // 45 people besides the two admins: three pages of "person" (20, 20 and 5).
    for (let n = 1; n <= 45; n++) {
      await server.client.users.create.mutate({ name: `Person ${n}`, email: `person${n}@example.com` });
    }
    await server.client.users.create.mutate({ ...colleague, role: "admin" });
    browser = await launchBrowser();
    [context, page] = await signedIn(testAdmin.email, testAdmin.password);
    await page.getByRole("link", { name: "All users", exact: true }).click();
    await showsRows(page, 20, "Person 19");
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.[Symbol.asyncDispose]();
  });

  it("keeps the search and the pages loaded through a reload", async () => {
    await page.getByLabel("Search users").fill("person");
    await page.waitForURL((url) => url.search === "?search=person");
    await showsRows(page, 20, "Person 20");
    await page.getByRole("button", { name: "Load more" }).click();
    await showsRows(page, 40, "Person 40");
    expect(address(page)).toBe("/?search=person&pages=2");

    await page.reload();
    await showsRows(page, 40, "Person 40");
    expect(await page.getByLabel("Search users").inputValue()).toBe("person");
    expect(address(page)).toBe("/?search=person&pages=2");
  });

  it("goes Back from a user's page to the same search and pages, and Back again to before the search", async () => {
    await list(page)
      .getByRole("link", { name: /Person 33/ })
      .click();
    await page.getByRole("heading", { level: 1, name: "Person 33" }).waitFor();

    await page.goBack();
    await showsRows(page, 40, "Person 40");
    expect(await page.getByLabel("Search users").inputValue()).toBe("person");
    expect(address(page)).toBe("/?search=person&pages=2");

    await page.goForward();
    await page.getByRole("heading", { level: 1, name: "Person 33" }).waitFor();
    await page.goBack();
    await showsRows(page, 40, "Person 40");

    // One entry for the search (Load more updated it): the next Back is the list before it.
    await page.goBack();
    await page.waitForURL((url) => url.search === "");
    await showsRows(page, 20, "Person 19");
    expect(await page.getByLabel("Search users").inputValue()).toBe("");
  });

  it("opens a shared address at its search and pages, for a colleague signed in elsewhere", async () => {
    const [otherContext, other] = await signedIn(colleague.email, colleague.password);
    try {
      await other.goto(`${server.url}/?search=person%204&pages=2`);
      // "person 4" matches Person 4 and Person 40 to 45: one page holds them all.
      await showsRows(other, 7, "Person 45");
      expect(await other.getByLabel("Search users").inputValue()).toBe("person 4");
      expect(await other.getByRole("button", { name: "Load more" }).count()).toBe(0);

      await other.goto(`${server.url}/?search=PERSON&pages=3`);
      await showsRows(other, 45, "Person 45");
    } finally {
      await otherContext.close();
    }
  });
});
