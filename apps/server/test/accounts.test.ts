import { existsSync, readFileSync } from "node:fs";
import { createClient } from "@app/client";
import { createScratchDatabase, describeEachDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { loggedUrl } from "../src/logged-url.ts";
import { expectClientError, startTestServer, testAdmin } from "./support/harness.ts";
import { adminEnv, startServerProcess } from "./support/server-process.ts";

// Tests that start server processes: allow for slow machines.
const timeout = 60_000;

await describeEachDatabase("accounts", (dialect) => {
  it("signs up, then signs in with a cookie and a token that both work, and tells who it is", async () => {
    await using server = await startTestServer({}, dialect);
    const response = await fetch(`${server.url}/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ann", email: " Ann@Example.com ", password: "correct horse" }),
    });
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as {
      result: { data: { user: { id: number }; token: string } };
    };
    expect(result.data.user).toMatchObject({ name: "Ann", email: "ann@example.com", role: "user" });
    expect(result.data.user).not.toHaveProperty("password");
    expect(result.data.user).not.toHaveProperty("passwordHash");
    const cookie = response.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(new RegExp(`^sid=${result.data.token};`));

    const byCookie = await fetch(`${server.url}/trpc/auth.me`, {
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(await byCookie.json()).toMatchObject({ result: { data: { id: result.data.user.id } } });
    const byToken = createClient({ url: server.url, token: result.data.token });
    expect(await byToken.auth.me.query()).toMatchObject({ email: "ann@example.com" });
  });

  it("answers a wrong password and an unknown email alike, in about the same time", async () => {
    await using server = await startTestServer({}, dialect);
    await server.signUp("Ann", "ann@example.com");
    const attempt = async (email: string) => {
      const started = performance.now();
      const error = await expectClientError(
        server.anonymous.auth.signIn.mutate({ email, password: "not the password" }),
        "UNAUTHORIZED",
      );
      return { message: error.message, ms: performance.now() - started };
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      const a = await attempt("ann@example.com");
      const b = await attempt(`nobody${i}@example.com`);
      expect(a.message).toBe("Wrong email or password");
      expect(b.message).toBe(a.message);
      wrong.push(a.ms);
      unknown.push(b.ms);
    }
    // Both verify an argon2id hash (~25 ms); an unknown email that skipped it would answer in ~2 ms.
    const median = (values: number[]) =>
      [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;
    expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
  });

  it("throttles an account after 5 failures in 15 minutes with 429 and Retry-After, and a right password too", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const signIn = (password: string) =>
      fetch(`${server.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "ann@example.com", password }),
      });
    for (let i = 0; i < 5; i++) expect((await signIn("wrong password")).status).toBe(401);
    const refused = await signIn(ann.password);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await refused.json()).toMatchObject({ error: { data: { code: "TOO_MANY_REQUESTS" } } });
    // Another account from the same address is not locked out by Ann's failures.
    const bob = await server.signUp("Bob", "bob@example.com");
    expect(
      await server.anonymous.auth.signIn.mutate({ email: "bob@example.com", password: bob.password }),
    ).toHaveProperty("token");
    // The window passes (the failures age): Ann signs in again, and her count starts over.
    await server.orm.em.fork().execute("delete from sign_in_attempts");
    expect((await signIn(ann.password)).status).toBe(200);
  });

  it("throttles one client address that tries many accounts", async () => {
    await using server = await startTestServer({}, dialect);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await fetch(`${server.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `guess${i}@example.com`, password: "password1" }),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it("ends a session at sign-out, and deleting an account ends its sessions and revokes its tokens", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const other = await server.anonymous.auth.signIn.mutate({
      email: "ann@example.com",
      password: ann.password,
    });
    const { token: apiToken } = await ann.client.auth.tokens.create.mutate({ name: "script" });
    await ann.client.auth.signOut.mutate();
    await expectClientError(ann.client.auth.me.query(), "UNAUTHORIZED");
    // Only that session: her other one and her token still work.
    const otherClient = createClient({ url: server.url, token: other.token });
    expect(await otherClient.auth.me.query()).toMatchObject({ id: ann.user.id });
    await otherClient.users.delete.mutate({ id: ann.user.id });
    await expectClientError(otherClient.auth.me.query(), "UNAUTHORIZED");
    await expectClientError(
      createClient({ url: server.url, token: apiToken }).auth.me.query(),
      "UNAUTHORIZED",
    );
    const em = server.orm.em.fork();
    const rows = await em.execute(
      "select (select count(*) from sessions where user_id = ?) + (select count(*) from api_tokens where user_id = ?) as n",
      [ann.user.id, ann.user.id],
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it("changes a password: the old one stops working, the caller's other sessions end, this one stays", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const second = await server.anonymous.auth.signIn.mutate({
      email: "ann@example.com",
      password: ann.password,
    });
    const wrong = await expectClientError(
      ann.client.auth.changePassword.mutate({
        currentPassword: "not it at all",
        newPassword: "brand new secret",
      }),
      "BAD_REQUEST",
    );
    expect(wrong.data?.zodError?.fieldErrors.currentPassword).toEqual(["The current password is wrong"]);
    await ann.client.auth.changePassword.mutate({
      currentPassword: ann.password,
      newPassword: "brand new secret",
    });
    expect(await ann.client.auth.me.query()).toMatchObject({ id: ann.user.id });
    await expectClientError(
      createClient({ url: server.url, token: second.token }).auth.me.query(),
      "UNAUTHORIZED",
    );
    await expectClientError(
      server.anonymous.auth.signIn.mutate({ email: "ann@example.com", password: ann.password }),
      "UNAUTHORIZED",
    );
    expect(
      await server.anonymous.auth.signIn.mutate({ email: "ann@example.com", password: "brand new secret" }),
    ).toHaveProperty("token");
  });

  it("shows an API token's secret once, lists it without, and refuses it once revoked or expired", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const created = await ann.client.auth.tokens.create.mutate({ name: "nightly", expiresInDays: 7 });
    expect(created.token).toMatch(/^uit_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.expiresAt ?? "") - Date.parse(created.createdAt)).toBe(7 * 86_400_000);
    const script = createClient({ url: server.url, token: created.token });
    expect(await script.auth.me.query()).toMatchObject({ id: ann.user.id });
    const listed = await ann.client.auth.tokens.list.query();
    expect(listed.items).toEqual([
      {
        id: created.id,
        name: "nightly",
        createdAt: created.createdAt,
        expiresAt: created.expiresAt,
        lastUsedAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const em = server.orm.em.fork();
    await em.execute("update api_tokens set expires_at = created_at where id = ?", [created.id]);
    await expectClientError(script.auth.me.query(), "UNAUTHORIZED");
    await ann.client.auth.tokens.revoke.mutate({ id: created.id });
    expect((await ann.client.auth.tokens.list.query()).items).toEqual([]);
    await expectClientError(ann.client.auth.tokens.revoke.mutate({ id: created.id }), "NOT_FOUND");
  });

  it("expires a session after SESSION_TTL_DAYS without use, and moves the expiry on with use", async () => {
    await using server = await startTestServer({ SESSION_TTL_DAYS: "2" }, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const em = server.orm.em.fork();
    const expiry = async () => {
      const [row] = await em.execute<{ expires_at: unknown }[]>(
        "select expires_at from sessions where user_id = ? order by id desc limit 1",
        [ann.user.id],
      );
      return new Date(
        row?.expires_at instanceof Date ? row.expires_at : Number(row?.expires_at) || String(row?.expires_at),
      ).getTime();
    };
    const first = await expiry();
    expect(first - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
    // Last used two hours ago: the next call moves the expiry two days from now.
    await em.execute(
      "update sessions set last_used_at = created_at, expires_at = created_at where user_id = ?",
      [ann.user.id],
    );
    await expectClientError(ann.client.auth.me.query(), "UNAUTHORIZED");
    const second = await server.anonymous.auth.signIn.mutate({
      email: "ann@example.com",
      password: ann.password,
    });
    const stale = new Date(Date.now() - 2 * 3_600_000);
    const stored = dialect === "sqlite" ? stale.getTime() : stale;
    await em.execute("update sessions set last_used_at = ? where user_id = ?", [stored, ann.user.id]);
    const before = await expiry();
    await createClient({ url: server.url, token: second.token }).auth.me.query();
    expect(await expiry()).toBeGreaterThan(before);
  });

  it("creates no account when sign-up is closed; an admin does, and one without a password cannot sign in", async () => {
    await using server = await startTestServer({ SIGNUP: "closed" }, dialect);
    await expectClientError(
      server.anonymous.auth.signUp.mutate({
        name: "Ann",
        email: "ann@example.com",
        password: "correct horse",
      }),
      "FORBIDDEN",
    );
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await expectClientError(
      server.anonymous.auth.signIn.mutate({ email: "ann@example.com", password: "" }),
      "BAD_REQUEST",
    );
    await expectClientError(
      server.anonymous.auth.signIn.mutate({ email: "ann@example.com", password: "anything at all" }),
      "UNAUTHORIZED",
    );
    await server.client.users.update.mutate({ id: ann.id, password: "set by an admin" });
    const session = await server.anonymous.auth.signIn.mutate({
      email: "ann@example.com",
      password: "set by an admin",
    });
    expect(session.user).toMatchObject({ id: ann.id, role: "user" });
    await server.client.users.update.mutate({ id: ann.id, role: "admin" });
    const promoted = createClient({ url: server.url, token: session.token });
    expect((await promoted.users.list.query({})).items.length).toBe(2);
  });

  it(
    "makes ADMIN_EMAIL an admin at start-up, creating it once, keeping an existing password",
    async () => {
      await using database = await createScratchDatabase(dialect);
      const env = {
        DATABASE_URL: database.url,
        ADMIN_EMAIL: "boss@example.com",
        ADMIN_PASSWORD: "first password",
      };
      await using first = await startServerProcess(env);
      const boss = createClient({ url: first.url });
      expect(
        (await boss.auth.signIn.mutate({ email: "boss@example.com", password: "first password" })).user.role,
      ).toBe("admin");
      await first.stop();
      await using second = await startServerProcess({ ...env, ADMIN_PASSWORD: "second password" });
      const again = createClient({ url: second.url });
      expect(
        (await again.auth.signIn.mutate({ email: "boss@example.com", password: "first password" })).user.role,
      ).toBe("admin");
    },
    timeout,
  );

  it(
    "refuses on a second server, at once, a session ended through the first; throttles across both",
    async () => {
      await using database = await createScratchDatabase(dialect);
      const env = { DATABASE_URL: database.url, ...adminEnv };
      await using one = await startServerProcess(env);
      await using two = await startServerProcess(env);
      const session = await createClient({ url: one.url }).auth.signIn.mutate(testAdmin);
      const onTwo = createClient({ url: two.url, token: session.token });
      expect(await onTwo.auth.me.query()).toMatchObject({ email: testAdmin.email });
      await createClient({ url: one.url, token: session.token }).auth.signOut.mutate();
      await expectClientError(onTwo.auth.me.query(), "UNAUTHORIZED");

      const fail = (url: string) =>
        createClient({ url }).auth.signIn.mutate({ email: testAdmin.email, password: "not the password" });
      for (let i = 0; i < 5; i++) await expectClientError(fail(i % 2 ? one.url : two.url), "UNAUTHORIZED");
      await expectClientError(fail(one.url), "TOO_MANY_REQUESTS");
      await expectClientError(
        createClient({ url: two.url }).auth.signIn.mutate(testAdmin),
        "TOO_MANY_REQUESTS",
      );
    },
    timeout,
  );
});

describe("secrets at rest and in logs", () => {
  it("keeps no password or token in the database file or the log, not even at trace level", {
    timeout,
  }, async () => {
    await using database = await createScratchDatabase("sqlite");
    const file = database.url.slice("sqlite:".length);
    const password = "Unmistakable-Passphrase-1729";
    await using server = await startServerProcess({
      DATABASE_URL: database.url,
      LOG_LEVEL: "trace",
      ADMIN_EMAIL: "root@example.com",
      ADMIN_PASSWORD: `${password}-admin`,
    });
    const anonymous = createClient({ url: server.url });
    const { token: session } = await anonymous.auth.signUp.mutate({
      name: "Ann",
      email: "ann@example.com",
      password,
    });
    const ann = createClient({ url: server.url, token: session });
    const { token: apiToken } = await ann.auth.tokens.create.mutate({ name: "script" });
    await ann.auth.changePassword.mutate({ currentPassword: password, newPassword: `${password}-new` });
    await expectClientError(
      anonymous.auth.signIn.mutate({ email: "ann@example.com", password: `${password}-wrong` }),
      "UNAUTHORIZED",
    );
    await ann.auth.me.query();
    await server.stop();

    const secrets = [
      password,
      `${password}-admin`,
      `${password}-new`,
      `${password}-wrong`,
      session,
      apiToken,
    ];
    const stored = ["", "-wal", "-shm"]
      .map((suffix) => `${file}${suffix}`)
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString("latin1"))
      .join("");
    const log = server.output();
    expect(log).toContain("/trpc/auth.signUp"); // the requests were logged
    for (const secret of secrets) {
      expect(stored.includes(secret), "a secret in the database file").toBe(false);
      expect(log.includes(secret), "a secret in the log").toBe(false);
    }
    expect(stored).toContain("$argon2id$v=19$m=19456,t=2,p=1$");
  });
});

describe("the request log", () => {
  it("drops the query string of accounts calls, where a careless client may put a password", async () => {
    expect(loggedUrl('/trpc/auth.signIn?input={"password":"hunter22"}')).toBe("/trpc/auth.signIn?[redacted]");
    expect(loggedUrl("/trpc/users.byId,auth.signIn?batch=1&input=x")).toBe(
      "/trpc/users.byId,auth.signIn?[redacted]",
    );
    expect(loggedUrl("/api/auth/signin?password=x")).toBe("/api/auth/signin?[redacted]");
    expect(loggedUrl('/trpc/users.byId?input={"id":1}')).toBe('/trpc/users.byId?input={"id":1}');
  });
});
