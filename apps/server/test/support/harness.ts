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
export async function startTestServer(env: Record<string, string> = {}, dialect: Dialect = "sqlite") {
  const folder = mkdtempSync(join(tmpdir(), "server-test-"));
  const database = await createScratchDatabase(dialect);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    LOG_LEVEL: "silent",
    ...env,
  });
  const server = await startServer(config);
  return {
    ...server,
    folder,
    client: createClient({ url: server.url }),
    /** A client that sends each call in its own HTTP request (no batching): real concurrency. */
    unbatchedClient: createClient({ url: server.url, maxBatchSize: 1 }),
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
