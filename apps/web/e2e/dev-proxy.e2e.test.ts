import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/support/harness.ts";
import { webRoot } from "./build-web-app.ts";
import { streamReader } from "./stream-reader.ts";

// `npm run dev` serves the page from Vite and proxies /trpc to the server. The server refuses a
// cookie-signed mutation whose Origin is not its own (CSRF defence), so the proxy must pass the
// page's Host through: with Vite's default for a string target it rewrote it, and every sign-in
// in development answered 403.
describe("the dev server's /trpc proxy", () => {
  let server: TestServer;
  let vite: ViteDevServer;
  let origin: string;

  beforeAll(async () => {
    server = await startTestServer();
    const apiUrl = process.env.API_URL;
    process.env.API_URL = server.url;
    try {
      vite = await createServer({
        root: webRoot,
        configFile: `${webRoot}/vite.config.ts`,
        server: { port: 0, host: "127.0.0.1", hmr: false },
        logLevel: "silent",
      });
    } finally {
      if (apiUrl === undefined) delete process.env.API_URL;
      else process.env.API_URL = apiUrl;
    }
    await vite.listen();
    const url = vite.resolvedUrls?.local[0];
    if (!url) throw new Error("Vite reported no local URL");
    origin = new URL(url).origin;
  });

  afterAll(async () => {
    await vite?.close();
    await server?.[Symbol.asyncDispose]();
  });

  /** A call as the page makes it: same origin, the cookie only. */
  function call(procedure: string, { body, cookie }: { body?: unknown; cookie?: string } = {}) {
    const headers: Record<string, string> = { origin, ...(cookie && { cookie }) };
    if (body === undefined) return fetch(`${origin}/trpc/${procedure}`, { headers });
    headers["content-type"] = "application/json";
    return fetch(`${origin}/trpc/${procedure}`, { method: "POST", headers, body: JSON.stringify(body) });
  }

  it("lets the page sign up, ask who it is, and sign out with the session cookie", async () => {
    const signUp = await call("auth.signUp", {
      body: { name: "Dev", email: "dev@example.com", password: "dev password" },
    });
    expect(signUp.status).toBe(200);
    const cookie = signUp.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^sid=/);

    const me = await call("auth.me", { cookie });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: { name: "Dev", role: "user" } } });

    const signOut = await call("auth.signOut", { body: {}, cookie });
    expect(signOut.status).toBe(200);
    expect((await call("auth.me", { cookie })).status).toBe(401);
  });

  it("streams the change feed (server-sent events) through as each change happens, not buffered", async () => {
    const signUp = await call("auth.signUp", {
      body: { name: "Streamer", email: "streamer@example.com", password: "dev password" },
    });
    const cookie = signUp.headers.get("set-cookie")?.split(";")[0] ?? "";
    const abort = new AbortController();
    const stream = await fetch(`${origin}/trpc/changes.onChange?input=${encodeURIComponent("{}")}`, {
      headers: { origin, cookie, accept: "text/event-stream" },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = streamReader(stream);
    const { readUntil } = events;
    try {
      await readUntil(/event: connected/);
      const created = await call("items.create", { body: { title: "Through the proxy" }, cookie });
      expect(created.status).toBe(200);
      // The event arrives while the stream stays open: the proxy passes it on at once.
      await readUntil(/"entity":"item"[^\n]*"op":"create"/);
      expect(events.text).toMatch(/\nid: \d+\n/);
    } finally {
      abort.abort();
    }
  });
});
