import { createClient, isClientError } from "@app/client";
import { createScratchDatabase, describeEachDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { loggedUrl } from "../src/logged-url.ts";
import { expectClientError, startTestServer } from "./support/harness.ts";
import { startServerProcess } from "./support/server-process.ts";

// What a hostile review of accounts found, each with the test that failed before its fix.
const timeout = 60_000;

await describeEachDatabase("accounts under attack", (dialect) => {
  it("holds the throttle against a burst of parallel attempts, per account and per address", async () => {
    // 100 of 100 parallel wrong passwords were checked when the count came before the record.
    await using server = await startTestServer({}, dialect);
    await server.signUp("Ann", "ann@example.com");
    const signIn = (email: string) =>
      fetch(`${server.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "not the password" }),
      }).then((response) => response.status);
    const burst = await Promise.all(Array.from({ length: 30 }, () => signIn("ann@example.com")));
    expect(burst.filter((status) => status === 401).length).toBeLessThanOrEqual(5);
    expect(burst.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
    await server.orm.em.fork().execute("delete from sign_in_attempts");
    const spread = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(`guess${i}@example.com`)));
    expect(spread.filter((status) => status === 401).length).toBeLessThanOrEqual(20);
    expect(spread.filter((status) => status !== 401).every((status) => status === 429)).toBe(true);
  });

  it("answers a token created while its account is deleted with 404 or 401, never a 500", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const codeOf = (call: Promise<unknown>) =>
      call.then(
        () => "OK",
        (error: unknown) => (isClientError(error) ? (error.data?.code ?? "?") : String(error)),
      );
    const [deleted, ...created] = await Promise.all([
      codeOf(ann.client.users.delete.mutate({ id: ann.user.id })),
      ...Array.from({ length: 10 }, () => codeOf(ann.client.auth.tokens.create.mutate({ name: "racing" }))),
    ]);
    expect(deleted).toBe("OK");
    for (const code of created) expect(["OK", "NOT_FOUND", "UNAUTHORIZED"]).toContain(code);
  });

  it("ends every session of an account whose password an admin resets", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    await server.client.users.update.mutate({ id: ann.user.id, password: "reset by admin" });
    await expectClientError(ann.client.auth.me.query(), "UNAUTHORIZED");
    const again = await server.anonymous.auth.signIn.mutate({
      email: "ann@example.com",
      password: "reset by admin",
    });
    expect(again.user.id).toBe(ann.user.id);
  });

  it("refuses passwords with unpaired surrogates, which would hash alike", async () => {
    await using server = await startTestServer({}, dialect);
    const signUp = (password: string) =>
      server.anonymous.auth.signUp.mutate({ name: "Ann", email: "ann@example.com", password });
    await expectClientError(signUp("\ud800abcdefghij"), "BAD_REQUEST");
    await expectClientError(
      server.anonymous.auth.signIn.mutate({ email: "ann@example.com", password: "\udbffabcdefghij" }),
      "BAD_REQUEST",
    );
  });

  it("keeps the cookie when sign-out is refused (an API token cannot sign out)", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann", "ann@example.com");
    const { token } = await ann.client.auth.tokens.create.mutate({ name: "script" });
    const response = await fetch(`${server.url}/trpc/auth.signOut`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        cookie: `sid=${ann.token}`,
        "content-type": "application/json",
      },
    });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await ann.client.auth.me.query()).toMatchObject({ id: ann.user.id });
  });

  it(
    "never makes admin, at start-up, an account at ADMIN_EMAIL whose password is not ADMIN_PASSWORD",
    async () => {
      // Someone signs up with the email before the operator claims it (or after the admin moved).
      await using database = await createScratchDatabase(dialect);
      await using first = await startServerProcess({ DATABASE_URL: database.url });
      const mallory = { email: "boss@example.com", password: "mallory's own" };
      await createClient({ url: first.url }).auth.signUp.mutate({ name: "Mallory", ...mallory });
      await first.stop();
      const env = {
        DATABASE_URL: database.url,
        ADMIN_EMAIL: mallory.email,
        ADMIN_PASSWORD: "the operator's",
      };
      await using second = await startServerProcess(env);
      expect((await createClient({ url: second.url }).auth.signIn.mutate(mallory)).user.role).toBe("user");
      expect(second.output()).toContain("not made admin");
      await second.stop();
      // Whoever knows ADMIN_PASSWORD is the rightful owner, and is promoted.
      await using third = await startServerProcess({ ...env, ADMIN_PASSWORD: mallory.password });
      expect((await createClient({ url: third.url }).auth.signIn.mutate(mallory)).user.role).toBe("admin");
    },
    timeout,
  );
});

describe("what reaches a log line or an error message", () => {
  it("drops every query string that names a password or an accounts call, however spelled", () => {
    expect(loggedUrl('/trpc/auth.signIn?input={"password":"x"}')).toBe("/trpc/auth.signIn?[redacted]");
    expect(loggedUrl("/trpc/auth%2EsignIn?input=x")).toBe("/trpc/auth%2EsignIn?[redacted]");
    expect(loggedUrl("/API//AUTH/signin?p=x")).toBe("/API//AUTH/signin?[redacted]");
    expect(loggedUrl('/trpc/users.create?input={"password":"x"}')).toBe("/trpc/users.create?[redacted]");
    expect(loggedUrl("/api/users/1?%70assword=x")).toBe("/api/users/1?[redacted]");
    expect(loggedUrl("/api/users/1?%zz")).toBe("/api/users/1?%zz");
    expect(loggedUrl('/trpc/users.byId?input={"id":1}')).toBe('/trpc/users.byId?input={"id":1}');
  });

  it(
    "keeps a password in the query string of a request no route takes out of the log",
    async () => {
      // fastify's own "Route … not found" line quoted the raw URL, query string and all.
      await using database = await createScratchDatabase("sqlite");
      await using server = await startServerProcess({ DATABASE_URL: database.url, LOG_LEVEL: "info" });
      const tooLong = `/trpc/auth.signIn${",".repeat(2_100)}?input=${encodeURIComponent('{"password":"LongPathSecret3"}')}`;
      const unrouted = await Promise.all([
        fetch(`${server.url}/login?password=PostedSecret1`, { method: "POST" }),
        fetch(`${server.url}/x?password=DeletedSecret2`, { method: "DELETE" }),
        fetch(`${server.url}${tooLong}`),
      ]);
      expect(unrouted.map((response) => response.status)).toEqual([404, 404, 404]);
      await server.stop();
      const log = server.output();
      expect(log).toContain("not found");
      for (const secret of ["PostedSecret1", "DeletedSecret2", "LongPathSecret3"]) {
        expect(log.includes(secret), `${secret} in the log`).toBe(false);
      }
    },
    timeout,
  );

  it("never quotes the caller's malformed JSON back (it may hold a password), nor a REST query string", async () => {
    await using server = await startTestServer();
    const trpc = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email":"a@example.com","password":Hunter2Secret}',
    });
    expect(trpc.status).toBe(400);
    expect(await trpc.text()).not.toContain("Hunter2Secret");
    const rest = await fetch(`${server.url}/api//auth/signin?password=Hunter2Secret`, { method: "POST" });
    expect(rest.status).toBe(404);
    expect(await rest.text()).not.toContain("Hunter2Secret");
  });
});
