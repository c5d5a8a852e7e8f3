import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

// Both reference UIs render the server's own document in a real browser, from files the server
// serves: ReDoc from its self-contained bundle alone, the package's dependencies not installed
// (pnpm-workspace.yaml's overrides), and nothing fetched from another origin.
describe.skipIf(noBrowser)("API reference pages in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // ReDoc asks for its footer logo from Redocly's CDN: the page's content security policy stops
    // it (the request fails), so only a request that completed counts.
    page.on("requestfinished", (request) => {
      const url = request.url();
      // ReDoc's search worker is built from a blob of the page's own origin.
      if (!url.startsWith(server.url) && !url.startsWith(`blob:${server.url}`)) {
        problems.push(`loaded from another origin: ${url}`);
      }
    });
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== "/favicon.ico") {
        problems.push(`${response.status()} for ${url.pathname}`);
      }
    });
    await page.goto(`${server.url}${path}`);
    return { page, problems };
  }

  it("ReDoc at /redoc shows the operations and their schemas", async () => {
    const { page, problems } = await open("/redoc");
    await page
      .getByRole("heading", { name: /Users and items/i })
      .first()
      .waitFor({ timeout: 15_000 });
    await expect(page.getByText("/api/users/{id}").first().isVisible()).resolves.toBe(true);
    expect(await page.getByText(/Create a user/i).count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Swagger UI at /docs shows the operations", async () => {
    const { page, problems } = await open("/docs");
    await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".opblock").count()).toBeGreaterThan(5);
    expect(problems).toEqual([]);
    await page.close();
  });
});
