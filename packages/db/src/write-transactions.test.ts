import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Context,
  type ContextManager,
  context,
  createContextKey,
  ROOT_CONTEXT,
} from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { createOrm, type Orm } from "./create-orm.ts";
import { inWriteTransaction } from "./write-transactions.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two ORMs on one SQLite file: `other` plays another process (a second worker) holding the lock. */
async function sharedFile(busyTimeoutMs?: number): Promise<{ orm: Orm; other: Orm }> {
  const folder = mkdtempSync(join(tmpdir(), "write-groups-"));
  const url = `sqlite:${join(folder, "app.db")}`;
  const orm = await createOrm({ url, ...(busyTimeoutMs !== undefined && { busyTimeoutMs }) });
  const other = await createOrm({ url });
  cleanups.push(async () => {
    await other.close(true);
    await orm.close(true);
    rmSync(folder, { recursive: true, force: true });
  });
  await orm.em.fork().execute("create table notes (id integer primary key, body text not null)");
  return { orm, other };
}

const bodies = async (orm: Orm) =>
  (await orm.em.fork().execute<{ body: string }[]>("select body from notes order by id")).map(
    (row) => row.body,
  );

const insert = (body: string) => (em: Parameters<Parameters<typeof inWriteTransaction>[1]>[0]) =>
  em.execute("insert into notes (body) values (?)", [body]);

/**
 * Holds the file's write lock from `other` while `calls` start, so that the first waits for the
 * lock and the rest queue behind it: the first runs alone, the rest as one group.
 */
async function whileLocked<T>(other: Orm, calls: () => Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const em = other.em.fork();
  await em.execute("begin immediate");
  const settled = Promise.allSettled(calls());
  // Let every call reach its wait for the lock.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await em.execute("commit");
  return settled;
}

describe("inWriteTransaction on SQLite (calls that wait together commit together)", () => {
  it("commits each call, and one that fails leaves the others of its group written", async () => {
    const { orm, other } = await sharedFile();
    const results = await whileLocked(other, () => [
      inWriteTransaction(orm, insert("alone")),
      inWriteTransaction(orm, insert("first of the group")),
      inWriteTransaction(orm, async (em) => {
        await insert("rolled back")(em);
        throw new Error("this call failed");
      }),
      inWriteTransaction(orm, insert("last of the group")),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    expect(results[2]).toMatchObject({ reason: { message: "this call failed" } });
    expect(await bodies(orm)).toEqual(["alone", "first of the group", "last of the group"]);
    // Committed by the time each answered: another process sees every row.
    expect(await bodies(other)).toEqual(["alone", "first of the group", "last of the group"]);
  });

  it("gives each call of a group its own identity map, as a transaction of its own", async () => {
    const { orm, other } = await sharedFile();
    const forks = new Set<object>();
    const results = await whileLocked(other, () =>
      Array.from({ length: 4 }, () =>
        inWriteTransaction(orm, async (em) => {
          forks.add(em);
          return em.getUnitOfWork().getIdentityMap().keys().length;
        }),
      ),
    );
    expect(results.map((result) => result.status === "fulfilled" && result.value)).toEqual([0, 0, 0, 0]);
    expect(forks.size).toBe(4);
  });

  it("fails every call of the group when the transaction fails, and writes none of them", async () => {
    const { orm, other } = await sharedFile();
    // A write past max_page_count fails with SQLITE_FULL, which rolls the whole transaction back.
    const [row] = await orm.em.fork().execute<{ page_count: number }[]>("pragma page_count");
    await orm.em.fork().execute(`pragma max_page_count = ${Number(row?.page_count) + 1}`);
    const results = await whileLocked(other, () => [
      inWriteTransaction(orm, insert("alone")),
      inWriteTransaction(orm, insert("written, then lost with the group")),
      inWriteTransaction(orm, insert("x".repeat(100_000))),
      inWriteTransaction(orm, insert("after the failure")),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected"]);
    expect(results[2]).toMatchObject({ reason: { code: "SQLITE_FULL" } });
    // Answered as failed, since it was not written: never a success for a row that is not there.
    expect(results[1]).toMatchObject({ status: "rejected" });
    expect(await bodies(orm)).toEqual(["alone"]);
    // The next call writes again.
    await inWriteTransaction(orm, insert("next"));
    expect(await bodies(orm)).toEqual(["alone", "next"]);
  });

  it("fails every waiting call once the lock was not granted in time, not one group after another", async () => {
    const { orm, other } = await sharedFile(1_000);
    const em = other.em.fork();
    await em.execute("begin immediate");
    try {
      const started = performance.now();
      const first = inWriteTransaction(orm, insert("alone"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // These wait behind the first; they used to form a group that waited a timeout of its own.
      const results = await Promise.allSettled([
        first,
        ...["b", "c", "d"].map((body) => inWriteTransaction(orm, insert(body))),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        "rejected",
        "rejected",
        "rejected",
        "rejected",
      ]);
      expect(results[3]).toMatchObject({ reason: { code: expect.stringMatching(/^SQLITE_BUSY/) } });
      expect(performance.now() - started).toBeLessThan(1_800);
    } finally {
      await em.execute("rollback");
    }
    await inWriteTransaction(orm, insert("after"));
    expect(await bodies(orm)).toEqual(["after"]);
  });

  it("runs each call of a group in its own trace context, so its statements are its own spans", async () => {
    const { orm, other } = await sharedFile();
    const storage = new AsyncLocalStorage<Context>();
    const manager: ContextManager = {
      active: () => storage.getStore() ?? ROOT_CONTEXT,
      with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        storage.disable();
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    cleanups.push(async () => context.disable());
    const call = createContextKey("call");
    const seen: unknown[] = [];
    await whileLocked(other, () =>
      ["first", "second", "third"].map((name) =>
        context.with(ROOT_CONTEXT.setValue(call, name), () =>
          inWriteTransaction(orm, async (em) => {
            seen.push(context.active().getValue(call));
            await insert(name)(em);
          }),
        ),
      ),
    );
    // The second and third ran as one group, started from the first call's continuation.
    expect(seen).toEqual(["first", "second", "third"]);
  });
});
