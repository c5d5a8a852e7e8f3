import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { changeFeedOf } from "@app/api";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/harness.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { buildWebApp, webRoot } from "./build-web-app.ts";

const noBrowser = whyNoBrowser();
if (noBrowser) console.warn(`[web e2e] skipped: ${noBrowser}`);

const outputDir = join(webRoot, "e2e", "output");
const cliMain = fileURLToPath(new URL("../../cli/src/main.ts", import.meta.url));
/** "Within a few seconds": the server reads the log at once for its own commits, every 250 ms for others'. */
const live = { timeout: 5_000 };

const dee = { name: "Dee Live", email: "dee@example.com" };

// Live data in real Chromium against the built app and the real server: Dee's page follows
// changes made elsewhere (the CLI, another tab, an admin) without a reload, and shows them in
// its history.
describe.skipIf(noBrowser)("live updates in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let deeContext: BrowserContext;
  let tab: Page;
  let otherTab: Page;
  let deeId: number;
  let deeToken: string;
  let deePassword: string;
  let configHome: string;
  /** The tRPC procedures each tab called (a batch counts each), to show nothing is refetched wholesale. */
  const called = new Map<Page, string[]>();
  /** Per tab: its tRPC calls still waiting for an answer (streams aside), and when the last ended. */
  const calling = new Map<Page, { inFlight: number; quietSince: number }>();

  function record(on: Page) {
    called.set(on, []);
    const state = { inFlight: 0, quietSince: Date.now() };
    calling.set(on, state);
    /** The procedures a request calls, or none when it is not a tRPC call. */
    const paths = (request: Request) => {
      const { pathname } = new URL(request.url());
      return pathname.startsWith("/trpc/")
        ? decodeURIComponent(pathname.slice("/trpc/".length)).split(",")
        : [];
    };
    // A call that answers, not a stream that stays open.
    const isCall = (request: Request) => paths(request).some((path) => path !== "changes.onChange");
    const ended = (request: Request) => {
      if (!isCall(request)) return;
      state.inFlight -= 1;
      state.quietSince = Date.now();
    };
    on.on("request", (request: Request) => {
      called.get(on)?.push(...paths(request));
      if (isCall(request)) state.inFlight += 1;
    });
    on.on("requestfinished", ended);
    on.on("requestfailed", ended);
  }

  /** The tab has had no call in flight for 300 ms: what it loads on its own is done. */
  async function quiet(on: Page) {
    await expect
      .poll(() => {
        const state = calling.get(on);
        return state !== undefined && state.inFlight === 0 && Date.now() - state.quietSince >= 300;
      }, live)
      .toBe(true);
  }

  /** Runs the CLI as Dee (her API token), as its own process, and returns what it printed. */
  function cli(...args: string[]): Promise<string> {
    const { API_URL: _url, API_TOKEN: _token, ...env } = process.env;
    const child = spawn(process.execPath, [cliMain, "--url", server.url, ...args], {
      env: { ...env, API_TOKEN: deeToken, XDG_CONFIG_HOME: configHome },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    return new Promise((resolve, reject) =>
      child.on("close", (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`CLI ${args.join(" ")} exited ${code}: ${stderr}`)),
      ),
    );
  }

  const history = (on: Page) => on.getByRole("list", { name: "History" });
  const items = (on: Page) => on.getByRole("list", { name: "Items" });

  beforeAll(async () => {
    await buildWebApp();
    server = await startTestServer();
    configHome = mkdtempSync(join(tmpdir(), "web-live-e2e-"));
    const signedUp = await server.signUp(dee.name, dee.email);
    deeId = signedUp.user.id;
    deePassword = signedUp.password;
    deeToken = (await signedUp.client.auth.tokens.create.mutate({ name: "e2e CLI" })).token;
    browser = await launchBrowser();
    deeContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    tab = await deeContext.newPage();
    otherTab = await deeContext.newPage();
    record(tab);
    record(otherTab);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.[Symbol.asyncDispose]();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it("opens Dee's page in two tabs, each following the changes over server-sent events", async () => {
    await tab.goto(`${server.url}/signin`);
    await tab.getByLabel("Email").fill(dee.email);
    await tab.getByLabel("Password").fill(deePassword);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.getByRole("heading", { level: 1, name: dee.name }).waitFor();
    await otherTab.goto(`${server.url}/users/${deeId}`);
    await otherTab.getByRole("heading", { level: 1, name: dee.name }).waitFor();
    for (const on of [tab, otherTab]) {
      await history(on).getByText("Account created, just now").waitFor();
      // One subscription per tab, same origin, by cookie: no token in the page.
      expect(called.get(on)?.filter((path) => path === "changes.onChange")).toHaveLength(1);
    }
    // Subscribed, and the server follows: wait until both streams are open on it, and each tab
    // has reloaded what it read before its stream followed (it may have missed a change).
    await expect.poll(() => changeFeedOf(server.orm).subscriberCount, live).toBe(2);
    for (const on of [tab, otherTab]) {
      // The page was loading as its stream opened: it is read again once the stream follows.
      await expect.poll(() => called.get(on)?.filter((path) => path === "users.byId").length, live).toBe(2);
      await quiet(on);
    }
  });

  it("shows an item the CLI adds within seconds, without a reload, and its history says so", async () => {
    await tab.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const before = (called.get(tab) ?? []).length;
    const output = await cli("items", "create", "--title", "Made by the CLI", "--json");
    const created = JSON.parse(output) as { id: number; ownerId: number };
    expect(created.ownerId).toBe(deeId);

    for (const on of [tab, otherTab]) {
      await items(on).getByText("Made by the CLI", { exact: true }).waitFor(live);
      await history(on).getByText("Item “Made by the CLI” added by you, just now").waitFor(live);
    }
    expect(await tab.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // Only the new item was fetched: not the user, not the list of items, not the history.
    expect((called.get(tab) ?? []).slice(before)).toEqual(["items.byId"]);
    mkdirSync(outputDir, { recursive: true });
    await tab.screenshot({ path: join(outputDir, "live-history.png"), fullPage: true });
  });

  it("shows an edit made in one tab in the other, item and history alike", async () => {
    await tab.getByRole("button", { name: "Edit Made by the CLI" }).click();
    const form = tab.getByRole("form", { name: "Edit Made by the CLI" });
    await form.getByLabel("Title").fill("Renamed in a tab");
    await form.getByRole("button", { name: "Save item" }).click();
    await items(tab).getByText("Renamed in a tab", { exact: true }).waitFor();

    const before = (called.get(otherTab) ?? []).length;
    await items(otherTab).getByText("Renamed in a tab", { exact: true }).waitFor(live);
    await history(otherTab)
      .getByText("Title changed from “Made by the CLI” to “Renamed in a tab” by you, just now")
      .waitFor(live);
    // Patched in place from the change itself: no call at all.
    expect((called.get(otherTab) ?? []).slice(before)).toEqual([]);

    await otherTab.getByRole("form", { name: "Edit user" }).getByLabel("Name").fill("Dee Renamed");
    await otherTab.getByRole("button", { name: "Save changes" }).click();
    await tab.getByRole("heading", { level: 1, name: "Dee Renamed" }).waitFor(live);
    await tab.getByRole("navigation", { name: "Account" }).getByText("Dee Renamed").waitFor(live);
    await history(tab)
      .getByText("Name changed from “Dee Live” to “Dee Renamed” by you, just now")
      .waitFor(live);
  });

  it("removes a row the CLI deletes, and says who did it when an admin acts", async () => {
    const [itemRow] = JSON.parse(await cli("items", "list", "--json")).items as { id: number }[];
    if (!itemRow) throw new Error("Dee has no item");
    await cli("items", "delete", String(itemRow.id));
    for (const on of [tab, otherTab]) {
      await items(on).waitFor({ state: "detached", ...live });
      await on.getByText("No items yet.").waitFor(live);
      await history(on).getByText("Item “Renamed in a tab” deleted by you, just now").waitFor(live);
    }

    await server.client.items.create.mutate({ userId: deeId, title: "From the admin" });
    await items(tab).getByText("From the admin", { exact: true }).waitFor(live);
    await history(tab).getByText("Item “From the admin” added by an admin, just now").waitFor(live);
  });

  it("shows an admin Dee's page live too, naming who made each change", async () => {
    const adminContext = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const adminPage = await adminContext.newPage();
    await adminPage.goto(`${server.url}/signin`);
    await adminPage.getByLabel("Email").fill("admin@example.org");
    await adminPage.getByLabel("Password").fill("admin password");
    await adminPage.getByRole("button", { name: "Sign in" }).click();
    await adminPage.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
    await adminPage.getByRole("link", { name: "All users", exact: true }).click();
    await adminPage.getByRole("link", { name: /Dee Renamed/ }).click();
    await adminPage.getByRole("heading", { level: 1, name: "Dee Renamed" }).waitFor();
    await history(adminPage).getByText("Item “From the admin” added by you, just now").waitFor();
    await history(adminPage)
      .getByText("Name changed from “Dee Live” to “Dee Renamed” by Dee Renamed, just now")
      .waitFor();

    await cli("items", "create", "--title", "Seen by the admin");
    await items(adminPage).getByText("Seen by the admin", { exact: true }).waitFor(live);
    await history(adminPage)
      .getByText("Item “Seen by the admin” added by Dee Renamed, just now")
      .waitFor(live);
    await adminContext.close();
  });

  it("sends Dee's tabs to the sign-in page when her session ends elsewhere", async () => {
    await tab.getByRole("button", { name: "Sign out" }).click();
    await tab.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    // The other tab made no call: its stream ended with UNAUTHORIZED when the session did.
    await otherTab.getByRole("heading", { level: 1, name: "Sign in" }).waitFor(live);
    await otherTab.getByText("Your session has ended. Sign in again.").waitFor();
  });
});
