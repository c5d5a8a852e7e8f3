import { createOrm, migrateToLatest } from "@app/db";
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import type { Caller } from "../src/auth/caller.ts";
import { createContext } from "../src/context.ts";
import { createCaller } from "../src/router.ts";

/**
 * A migrated in-memory database and an in-process caller, disposed with `await using`.
 * `queries` records every SQL statement, for asserting query counts.
 */
export async function createTestApi() {
  const queries: string[] = [];
  const orm = await createOrm({ url: "sqlite::memory:", onQuery: (sql) => queries.push(sql) });
  await migrateToLatest(orm);
  // In-process calls as an admin (no account row: the suites count users), unless a test asks
  // for another caller with `callerAs`.
  const caller = createCaller(createContext({ orm, as: { id: 0, role: "admin" } }));
  return {
    orm,
    caller,
    /** Calls as someone else: `callerAs({ id: 1, role: "user" })`, or null for anonymous. */
    callerAs: (as: Caller | null) => createCaller(createContext(as ? { orm, as } : { orm })),
    queries,
    /** Runs `fn` and returns how many SQL statements that read or write data it issued. */
    async countQueries(fn: () => Promise<unknown>): Promise<number> {
      const before = queries.length;
      await fn();
      return queries.slice(before).filter((sql) => /^\s*(select|insert|update|delete|with)\b/i.test(sql))
        .length;
    },
    [Symbol.asyncDispose]: () => orm.close(),
  };
}

/** Asserts that `promise` rejects with a TRPCError of `code`, and returns it for further checks. */
export async function expectTRPCError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}
