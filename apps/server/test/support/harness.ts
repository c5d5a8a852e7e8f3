import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, type ClientError, createClient, isClientError } from "@app/client";
import type { Dialect } from "@app/db";
import { createScratchDatabase } from "@app/db/testing";
import { expect } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";

/**
 * The real server on a free port with a fresh database (SQLite unless told otherwise), and a
 * typed client for it. Dispose with `await using`: the server stops and the database is dropped.
 * `folder` is a scratch folder for the test's own files, removed too.
 */
/** The admin account every test server starts with (ADMIN_EMAIL, ADMIN_PASSWORD). */
export const testAdmin = { email: "admin@example.org", password: "admin password" } as const;

export async function startTestServer(env: Record<string, string> = {}, dialect: Dialect = "sqlite") {
  const folder = mkdtempSync(join(tmpdir(), "server-test-"));
  const database = await createScratchDatabase(dialect);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    LOG_LEVEL: "silent",
    ADMIN_EMAIL: testAdmin.email,
    ADMIN_PASSWORD: testAdmin.password,
    ...env,
  });
  const server = await startServer(config);
  const anonymous = createClient({ url: server.url });
  const { token: adminToken, user: admin } = await anonymous.auth.signIn.mutate(testAdmin);
  return {
    ...server,
    folder,
    /** The admin account (the server's first user) and its session token. */
    admin,
    adminToken,
    /** `Authorization: Bearer` with the admin's session: for raw HTTP calls (fetch, REST). */
    adminHeaders: { authorization: `Bearer ${adminToken}` } as Record<string, string>,
    /** `fetch(server.url + path)` as the admin (its headers merged with `init`'s). */
    fetchAsAdmin(path: string, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${adminToken}`);
      return fetch(`${server.url}${path}`, { ...init, headers });
    },
    /** Signed in as the admin: what every suite did before accounts existed. */
    client: createClient({ url: server.url, token: adminToken }),
    /** No credential at all. */
    anonymous,
    /** A client that sends each call in its own HTTP request (no batching): real concurrency. */
    unbatchedClient: createClient({ url: server.url, token: adminToken, maxBatchSize: 1 }),
    /** Signs up a new account and returns it with a client signed in as it. */
    async signUp(name: string, email = `${name.toLowerCase().replace(/\W+/g, ".")}@example.com`) {
      const password = `${name} password`;
      const session = await anonymous.auth.signUp.mutate({ name, email, password });
      return { ...session, password, client: createClient({ url: server.url, token: session.token }) };
    },
    /** Counts rows straight from the database, bypassing the API. */
    async count(table: "users" | "items"): Promise<number> {
      const rows = await server.orm.em.fork().execute(`select count(*) as n from ${table}`);
      return Number(rows[0]?.n);
    },
    async [Symbol.asyncDispose]() {
      await server.close();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Awaits a call that must fail and returns its typed client error. */
export async function expectClientError(promise: Promise<unknown>, code: string): Promise<ClientError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isClientError(error)) throw new Error(`expected a ${code} error, got ${String(error)}`);
  expect(error.data?.code).toBe(code);
  return error;
}

/** Settles every call and tallies the outcomes by tRPC code ("OK" for successes). */
export async function tally(calls: Promise<unknown>[]): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  for (const result of await Promise.allSettled(calls)) {
    const key =
      result.status === "fulfilled"
        ? "OK"
        : String(isClientError(result.reason) ? result.reason.data?.code : result.reason);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return outcomes;
}

export type { Client };
