import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testAdmin } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { buildWebApp, webRoot } from "./build-web-app.ts";
import { auditContrast, auditFocusRings, type ContrastFailure } from "./contrast.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

const outputDir = join(webRoot, "e2e", "output");

/** The page's background in each theme (styles.css: --bg). */
const pageBackground = { light: "rgb(246, 247, 249)", dark: "rgb(20, 23, 28)" } as const;

// The theme follows the system's setting (prefers-color-scheme), which Chromium emulates per
// browser context. In each theme, every page state with its own colours is checked for contrast:
// the sign-in page with its error, the users list with a field error and a notice, a user's page
// with items and history, the confirmation dialog, and the keyboard focus rings.
describe.skipIf(noBrowser)("the theme in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let annId: number;

  beforeAll(async () => {
    await buildWebApp();
    server = await startTestServer();
    browser = await launchBrowser();
    const ann = await server.client.users.create.mutate({ name: "Ann Lee", email: "ann@example.com" });
    annId = ann.id;
    const pen = await server.client.items.create.mutate({
      userId: ann.id,
      title: "Pen",
      description: "Blue ink",
    });
    await server.client.items.update.mutate({ id: pen.id, title: "Fountain pen" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Notebook" });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.[Symbol.asyncDispose]();
  });

  /** Fails with every low-contrast thing listed, rather than the first. */
  function expectReadable(where: string, failures: ContrastFailure[]) {
    expect(failures.map((failure) => ({ where, ...failure }))).toEqual([]);
  }

  for (const scheme of ["light", "dark"] as const) {
    it(`follows the system's ${scheme} setting, every text and field edge readable`, async () => {
      const context = await browser.newContext({
        colorScheme: scheme,
        viewport: { width: 1000, height: 900 },
      });
      const page: Page = await context.newPage();
      try {
        await page.goto(`${server.url}/signin`);
        await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
          pageBackground[scheme],
        );
        // Native controls (scrollbars, the search field's clear button) follow the theme too.
        expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe(
          "light dark",
        );
        await page.getByLabel("Email").fill(testAdmin.email);
        await page.getByLabel("Password").fill("not the password");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByText("Wrong email or password").waitFor();
        expectReadable("sign-in page", await auditContrast(page));

        await page.getByLabel("Password").fill(testAdmin.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
        await page.goto(server.url);
        await page
          .getByRole("list", { name: "Users" })
          .getByRole("link", { name: /Ann Lee/ })
          .waitFor();
        await page.getByLabel("Name").fill("Ann Again");
        await page.getByLabel("Email").fill("ann@example.com");
        await page.getByRole("button", { name: "Create user" }).click();
        await page.getByText("A user with email ann@example.com already exists").waitFor();
        expectReadable("users list", await auditContrast(page));
        const rings = await auditFocusRings(page);
        expect(rings.seen).toBeGreaterThan(5);
        expectReadable("users list, focus rings", rings.failures);
        mkdirSync(outputDir, { recursive: true });
        await page.screenshot({ path: join(outputDir, `users-${scheme}.png`), fullPage: true });

        await page.goto(`${server.url}/users/${annId}`);
        await page.getByRole("heading", { level: 1, name: "Ann Lee" }).waitFor();
        await page.getByText(/Title changed from “Pen” to “Fountain pen”/).waitFor();
        expectReadable("a user's page", await auditContrast(page));
        await page.screenshot({ path: join(outputDir, `user-${scheme}.png`), fullPage: true });

        await page.getByRole("button", { name: "Delete user" }).click();
        await page.getByRole("dialog").waitFor();
        expectReadable("the confirmation dialog", await auditContrast(page));
        await page.keyboard.press("Escape");
      } finally {
        await context.close();
      }
    });
  }
});
