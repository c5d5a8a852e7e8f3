import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@app/client";
import { createOrm } from "@app/db";
import { afterAll, describe, expect, it } from "vitest";
import { testAdmin } from "./support/harness.ts";
import { startAdminServerProcess } from "./support/server-process.ts";

const folder = mkdtempSync(join(tmpdir(), "durability-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes users (each with one item) from `workers` concurrent loops until `signal` aborts; returns what was acknowledged. */
async function writeUntilAborted(url: string, token: string, round: number, signal: AbortSignal) {
  const client = createClient({ url, token, maxBatchSize: 1 });
  const acknowledged: { email: string; itemTitle: string }[] = [];
  const worker = async (w: number) => {
    for (let i = 0; !signal.aborted; i++) {
      const email = `r${round}-w${w}-${i}@example.com`;
      try {
        const user = await client.users.create.mutate({ name: `R${round} W${w} #${i}`, email });
        const item = await client.items.create.mutate({ userId: user.id, title: `item of ${email}` });
        acknowledged.push({ email, itemTitle: item.title });
      } catch {
        return; // the server was killed mid-call: that call was never acknowledged
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  return acknowledged;
}

/** Opens the file directly, as the next start would, and reads what survived. */
async function inspect(url: string) {
  const orm = await createOrm({ url });
  try {
    const em = orm.em.fork();
    const integrity = await em.execute("pragma integrity_check");
    const foreignKeys = await em.execute("pragma foreign_key_check");
    const rows = await em.execute<{ email: string; title: string | null }[]>(
      "select u.email, i.title from users u left join items i on i.owner_id = u.id",
    );
    return { integrity, foreignKeys, rows };
  } finally {
    await orm.close(true);
  }
}

describe("durability on SQLite under SIGKILL", () => {
  it("keeps every acknowledged write, and an intact file, across repeated kills mid-load", {
    timeout: 120_000,
  }, async () => {
    const url = `sqlite:${join(folder, "app.db")}`;
    const everAcknowledged: { email: string; itemTitle: string }[] = [];
    for (let round = 0; round < 4; round++) {
      // Each start ensures the admin (created once, then kept) and signs in as it.
      const server = await startAdminServerProcess({ DATABASE_URL: url, LOG_LEVEL: "info" });
      const stop = new AbortController();
      const load = writeUntilAborted(server.url, server.adminToken, round, stop.signal);
      await new Promise((resolve) => setTimeout(resolve, 400 + 150 * round));
      expect(await server.stop("SIGKILL")).toBeNull(); // killed, not exited
      stop.abort();
      const acknowledged = await load;
      expect(acknowledged.length).toBeGreaterThan(0);
      everAcknowledged.push(...acknowledged);

      const { integrity, foreignKeys, rows } = await inspect(url);
      expect(integrity).toEqual([{ integrity_check: "ok" }]);
      expect(foreignKeys).toEqual([]);
      const stored = new Set(rows.map((row) => `${row.email}|${row.title}`));
      const lost = everAcknowledged.filter((w) => !stored.has(`${w.email}|${w.itemTitle}`));
      expect(lost).toEqual([]);
      // The admin account made at the first start survives every kill, once (it owns no items).
      expect(rows.filter((row) => row.email === testAdmin.email)).toEqual([
        { email: testAdmin.email, title: null },
      ]);
    }
    console.info(`durability: ${everAcknowledged.length} acknowledged writes over 4 SIGKILLs, none lost`);
  });
});
