import { createOrm } from "@app/db";
import { createScratchDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testAdmin } from "./support/harness.ts";
import { startServerProcess } from "./support/server-process.ts";

/** Signs in over plain HTTP (the fast path) and returns the answer's body and its Set-Cookie headers. */
async function signIn(url: string, credentials: { email: string; password: string }) {
  const response = await fetch(`${url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(credentials),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { data: { token: string } } };
  return { token: body.result.data.token, cookies: response.headers.getSetCookie() };
}

/** The `sid=…` pair of a Set-Cookie header, to send back as a browser would. */
function cookiePair(setCookie: string | undefined): string {
  const pair = setCookie?.split(";")[0];
  if (!pair?.startsWith("sid=")) throw new Error(`not a session cookie: ${setCookie}`);
  return pair;
}

/** A Set-Cookie header's attributes, by lower-cased name (a flag's value is ""). */
function cookieAttributes(setCookie: string): Map<string, string> {
  const [, ...attributes] = setCookie.split(";");
  return new Map(
    attributes.map((attribute) => {
      const [name = "", ...value] = attribute.trim().split("=");
      return [name.toLowerCase(), value.join("=")];
    }),
  );
}

/** POST /trpc/<path> with a JSON body and the given headers. */
function postTrpc(server: TestServer, path: string, input: unknown, headers: Record<string, string>) {
  return fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(input),
  });
}

describe("security and traceability", () => {
  it("limits each client to RATE_LIMIT_PER_MINUTE requests, answering 429 with Retry-After", async () => {
    await using server = await startTestServer({ RATE_LIMIT_PER_MINUTE: "5" });
    // The harness's sign-in as the admin was the first of the five.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${server.url}/health`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // Signed in or not, the limit is the client address's.
    const limited = await server.fetchAsAdmin("/trpc/users.list");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
  });

  it("has no rate limit by default", async () => {
    await using server = await startTestServer();
    const statuses = await Promise.all(
      Array.from({ length: 150 }, async () => (await fetch(`${server.url}/health`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it("sends security headers, with a content security policy on the web app's and docs' pages", async () => {
    await using server = await startTestServer();
    const api = await server.fetchAsAdmin("/trpc/users.list");
    expect(api.status).toBe(200);
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("referrer-policy")).toBe("no-referrer");
    for (const page of ["/", "/users/1", "/docs", "/redoc"]) {
      const response = await fetch(`${server.url}${page}`);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    }
  });

  it("keeps a caller's well-formed request id and replaces any other", async () => {
    await using server = await startTestServer();
    const kept = await fetch(`${server.url}/health`, { headers: { "x-request-id": "client-42.a:b" } });
    expect(kept.headers.get("x-request-id")).toBe("client-42.a:b");
    const replaced = await fetch(`${server.url}/health`, { headers: { "x-request-id": "x".repeat(200) } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${server.url}/health`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs a failed call with the request id its response carried, and hides the cause from the caller", {
    timeout: 60_000,
  }, async () => {
    await using database = await createScratchDatabase("sqlite");
    await using server = await startServerProcess({
      DATABASE_URL: database.url,
      NODE_ENV: "production",
      ADMIN_EMAIL: testAdmin.email,
      ADMIN_PASSWORD: testAdmin.password,
    });
    // Signed in, so the call reaches the database (anonymous, it would stop at a 401).
    const { token } = await signIn(server.url, testAdmin);
    const orm = await createOrm({ url: database.url });
    await orm.em.fork().execute("drop table items");
    await orm.close(true);

    const response = await fetch(`${server.url}/trpc/items.list`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const requestId = response.headers.get("x-request-id");
    expect(response.status).toBe(500);
    expect(await response.text()).not.toMatch(/no such table/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { reqId?: string; msg?: string; err?: { message?: string } });
    const failure = lines.find((line) => line.msg === "procedure failed");
    expect(failure?.reqId).toBe(requestId);
    expect(failure?.err?.message).toMatch(/no such table: items/);
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax and Path=/, lasts SESSION_TTL_DAYS, and is not Secure over plain HTTP", async () => {
    await using server = await startTestServer({ SESSION_TTL_DAYS: "7" });
    const { token, cookies } = await signIn(server.url, testAdmin);
    expect(cookies).toHaveLength(1);
    const [setCookie = ""] = cookies;
    expect(cookiePair(setCookie)).toBe(`sid=${token}`);
    const attributes = cookieAttributes(setCookie);
    expect(attributes.get("httponly")).toBe("");
    expect(attributes.get("samesite")).toBe("Lax");
    expect(attributes.get("path")).toBe("/");
    expect(attributes.get("max-age")).toBe(String(7 * 86_400));
    // Over plain HTTP a Secure cookie would never come back: the browser would sign out at once.
    expect(attributes.has("secure")).toBe(false);
    expect(attributes.has("domain")).toBe(false);
  });

  it("is Secure behind a trusted proxy that says the page is HTTPS, and only then", async () => {
    const proxied = { "content-type": "application/json", "x-forwarded-proto": "https" };
    const body = JSON.stringify(testAdmin);
    await using trusting = await startTestServer({ TRUST_PROXY: "true" });
    const behindProxy = await fetch(`${trusting.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: proxied,
      body,
    });
    expect(cookieAttributes(behindProxy.headers.getSetCookie()[0] ?? "").has("secure")).toBe(true);
    // Without TRUST_PROXY the header is anyone's to send, and says nothing.
    await using direct = await startTestServer();
    const forged = await fetch(`${direct.url}/trpc/auth.signIn`, { method: "POST", headers: proxied, body });
    expect(forged.headers.getSetCookie()).toHaveLength(1);
    expect(cookieAttributes(forged.headers.getSetCookie()[0] ?? "").has("secure")).toBe(false);
  });

  it("is set by a sign-in through tRPC's own handler too, not only on the fast path", async () => {
    await using server = await startTestServer();
    // A batch with a parameter given twice is left to tRPC's handler (direct-calls.ts).
    const batched = await fetch(`${server.url}/trpc/auth.signIn?batch=1&batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ 0: testAdmin }),
    });
    expect(batched.status).toBe(200);
    const [answer] = (await batched.json()) as [{ result: { data: { token: string } } }];
    expect(batched.headers.getSetCookie().map(cookiePair)).toEqual([`sid=${answer.result.data.token}`]);
  });

  it("signs in through a streamed batch (trpc-accept: application/jsonl): the token arrives in the body", async () => {
    await using server = await startTestServer();
    const streamed = await signInStreamed(server);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get("content-type")).toMatch(/^application\/jsonl?/);
    const token = /"token":"(uis_[^"]+)"/.exec(await streamed.text())?.[1];
    expect(token).toMatch(/^uis_/);
  });

  // KNOWN BUG, reported: a streamed batch's response headers go out before its calls run, so the
  // Set-Cookie that auth.signIn adds (ctx.request.setHeader) is dropped without a word; the sign-in
  // succeeds (the test above) but leaves a browser without its session. `it.fails` keeps the right
  // expectation here: once the cookie arrives this turns red, and `.fails` should go.
  it.fails("sets the session cookie on a sign-in in a streamed batch too", async () => {
    await using server = await startTestServer();
    const streamed = await signInStreamed(server);
    await streamed.text();
    expect(streamed.headers.getSetCookie()).toHaveLength(1);
  });
});

/** A sign-in as the admin in a streamed batch of one, which goes to tRPC's own handler. */
function signInStreamed(server: TestServer): Promise<Response> {
  return fetch(`${server.url}/trpc/auth.signIn?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "trpc-accept": "application/jsonl" },
    body: JSON.stringify({ 0: testAdmin }),
  });
}

describe("cross-origin mutations", () => {
  const appOrigin = "https://app.example";

  it("refuse the session cookie alone from a foreign origin; take it from the server's own and CORS_ORIGINS, and take the Authorization header from anywhere", async () => {
    await using server = await startTestServer({ CORS_ORIGINS: appOrigin });
    const { cookies } = await signIn(server.url, testAdmin);
    const cookie = cookiePair(cookies[0]);
    const create = (n: number, headers: Record<string, string>) =>
      postTrpc(server, "users.create", { name: `U${n}`, email: `u${n}@example.com` }, headers);

    for (const origin of ["https://evil.example", "null", server.url.replace("127.0.0.1", "localhost")]) {
      const refused = await create(1, { cookie, origin });
      expect({ origin, status: refused.status }).toEqual({ origin, status: 403 });
      expect(await refused.json()).toMatchObject({
        error: {
          message: expect.stringMatching(/Cross-origin request refused/),
          data: { code: "FORBIDDEN" },
        },
      });
    }
    // Through tRPC's own handler (a streamed batch) as through the fast path.
    const streamed = await fetch(`${server.url}/trpc/users.create?batch=1`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "trpc-accept": "application/jsonl",
        cookie,
        origin: "https://evil.example",
      },
      body: JSON.stringify({ 0: { name: "U1", email: "u1@example.com" } }),
    });
    expect(await streamed.text()).toContain("FORBIDDEN");
    // And over REST, which shares the context.
    const rest = await fetch(`${server.url}/api/users/`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: "https://evil.example" },
      body: JSON.stringify({ name: "U1", email: "u1@example.com" }),
    });
    expect(rest.status).toBe(403);
    expect(await server.count("users")).toBe(1);

    // A page can only send the Authorization header if its script holds the token: no CSRF.
    expect((await create(2, { ...server.adminHeaders, origin: "https://evil.example" })).status).toBe(200);
    expect((await create(3, { cookie, origin: server.url })).status).toBe(200);
    expect((await create(4, { cookie, origin: appOrigin })).status).toBe(200);
    // No Origin at all: not a browser's cross-site request (curl, a server, a same-origin GET-like POST).
    expect((await create(5, { cookie })).status).toBe(200);
    expect(await server.count("users")).toBe(5);
  });

  it("still answer a cross-origin query carrying the cookie: only mutations change anything", async () => {
    await using server = await startTestServer();
    const { cookies } = await signIn(server.url, testAdmin);
    const me = await fetch(`${server.url}/trpc/auth.me`, {
      headers: { cookie: cookiePair(cookies[0]), origin: "https://evil.example" },
    });
    // The browser keeps the answer from the foreign page: no CORS header allows it to read it.
    expect(me.status).toBe(200);
    expect(me.headers.get("access-control-allow-origin")).toBeNull();
  });
});
