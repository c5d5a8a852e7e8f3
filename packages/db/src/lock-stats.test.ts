import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOrm, type Orm } from "./create-orm.ts";
import { lockStatsOf } from "./lock-stats.ts";
import { migrateToLatest } from "./migrate.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two ORMs on one SQLite file, as two server processes would have: `waiter` waits 200 ms at most. */
async function twoProcesses(): Promise<{ waiter: Orm; holder: Orm }> {
  const folder = mkdtempSync(join(tmpdir(), "lock-stats-"));
  const url = `sqlite:${join(folder, "app.db")}`;
  const waiter = await createOrm({ url, busyTimeoutMs: 200 });
  const holder = await createOrm({ url });
  cleanups.push(async () => {
    await holder.close(true);
    await waiter.close(true);
    rmSync(folder, { recursive: true, force: true });
  });
  await migrateToLatest(waiter);
  return { waiter, holder };
}

const write = (orm: Orm) =>
  orm.em.fork().transactional((em) => em.execute("update change_head set id = id where 1 = 0"));

describe("lockStatsOf (SQLite)", () => {
  it("counts nothing while the write lock is free", async () => {
    const { waiter } = await twoProcesses();
    await write(waiter);
    await write(waiter);
    expect(lockStatsOf(waiter)).toEqual({ waits: 0, waitSeconds: 0, timeouts: 0 });
  });

  it("counts each wait and its time, and the waits that ran out", async () => {
    const { waiter, holder } = await twoProcesses();
    const held = holder.em.fork();
    await held.execute("begin immediate");
    // Held past the busy timeout: a wait that runs out (the call's 503).
    await expect(write(waiter)).rejects.toThrow(/locked/);
    const afterTimeout = lockStatsOf(waiter);
    expect(afterTimeout).toMatchObject({ waits: 1, timeouts: 1 });
    expect(afterTimeout.waitSeconds).toBeGreaterThanOrEqual(0.15);

    // Let go within it: a wait that is granted.
    const waiting = write(waiter);
    setTimeout(() => void held.execute("commit"), 50);
    await waiting;
    const afterGrant = lockStatsOf(waiter);
    expect(afterGrant).toMatchObject({ waits: 2, timeouts: 1 });
    expect(afterGrant.waitSeconds).toBeGreaterThan(afterTimeout.waitSeconds);
    // The ORM that held the lock never waited.
    expect(lockStatsOf(holder)).toEqual({ waits: 0, waitSeconds: 0, timeouts: 0 });
  });

  it("is all zeros for anything that is not an ORM on SQLite", () => {
    expect(lockStatsOf({})).toEqual({ waits: 0, waitSeconds: 0, timeouts: 0 });
  });
});
