import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { createOrm } from "@app/db";
import { createScratchDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server.ts";
import { runTask, type TaskResult } from "./support/run-task.ts";

// `npm run seed`, through the root task, on a fresh database of each dialect.

/** The counts and credentials the seed printed. */
function summaryOf(result: TaskResult) {
  const counts = /: (\d+) users \((\d+) demo users and an admin\) with (\d+) items/.exec(result.stdout);
  const account = (role: string) => {
    const match = new RegExp(`^ {2}${role} +(\\S+) +password: (\\S+)$`, "m").exec(result.stdout);
    return { email: match?.[1] ?? "", password: match?.[2] ?? "" };
  };
  return {
    users: Number(counts?.[1]),
    demoUsers: Number(counts?.[2]),
    items: Number(counts?.[3]),
    admin: account("admin"),
    member: account("user"),
  };
}

async function countRows(
  url: string,
): Promise<Record<"users" | "items" | "changes" | "withPassword", number>> {
  const orm = await createOrm({ url });
  try {
    const em = orm.em.fork();
    const count = async (sql: string) => Number((await em.execute<{ n: number }[]>(sql))[0]?.n);
    return {
      users: await count("select count(*) as n from users"),
      items: await count("select count(*) as n from items"),
      changes: await count("select count(*) as n from changes"),
      withPassword: await count("select count(*) as n from users where password_hash is not null"),
    };
  } finally {
    await orm.close(true);
  }
}

for (const { dialect, skip } of await testedDialects()) {
  (skip ? describe.skip : describe)(`npm run seed [${dialect}]`, { timeout: 120_000 }, () => {
    it("fills an empty database, prints credentials that sign in, and adds to it only with --force", async () => {
      await using scratch = await createScratchDatabase(dialect);
      const seed = (...args: string[]) => runTask("seed", args, { DATABASE_URL: scratch.url });

      const first = await seed();
      expect(first.code, first.stderr).toBe(0);
      const summary = summaryOf(first);
      expect(summary.users).toBe(301);
      expect(summary.demoUsers).toBe(300);
      expect(summary.items).toBeGreaterThanOrEqual(300);
      expect(summary.items).toBeLessThanOrEqual(1500);
      // Every record went through the repositories, so the change log has each of them.
      expect(await countRows(scratch.url)).toEqual({
        users: 301,
        items: summary.items,
        changes: 301 + summary.items,
        withPassword: 2,
      });
      expect(first.stderr).toContain(`seeding: 300/300 users, ${summary.items} items`);

      const refused = await seed();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("the database already has 301 accounts");
      expect(refused.stderr).toContain("npm run seed -- --force");
      expect((await countRows(scratch.url)).users).toBe(301);

      const forced = await seed("--force", "--users", "10");
      expect(forced.code, forced.stderr).toBe(0);
      const added = summaryOf(forced);
      expect(added.users).toBe(11);
      expect(added.admin.email).not.toBe(summary.admin.email);
      expect((await countRows(scratch.url)).users).toBe(301 + 11);

      // The printed credentials sign in to a server on that database.
      await using server = await startServer(
        loadConfig({ DATABASE_URL: scratch.url, PORT: "0", LOG_LEVEL: "silent" }),
      );
      const anonymous = createClient({ url: server.url });
      for (const admin of [summary.admin, added.admin]) {
        const session = await anonymous.auth.signIn.mutate(admin);
        expect(session.user.role).toBe("admin");
        const asAdmin = createClient({ url: server.url, token: session.token });
        expect((await asAdmin.users.list.query({ limit: 100 })).items).toHaveLength(100);
      }
      const member = await anonymous.auth.signIn.mutate(summary.member);
      expect(member.user).toMatchObject({ role: "user", email: summary.member.email });
      const asMember = createClient({ url: server.url, token: member.token });
      expect((await asMember.items.list.query({})).items.length).toBeGreaterThan(0);
    });
  });
}

it("refuses arguments it does not understand, saying how to call it", { timeout: 30_000 }, async () => {
  const result = await runTask("seed", ["--users", "many"], { DATABASE_URL: "sqlite::memory:" });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--users must be a whole number from 1 to 100000, not "many"');
  expect(result.stderr).toContain("usage: npm run seed");
});

it("stops at Ctrl-C with a failing exit code, whole batches kept, and says what the database holds", {
  timeout: 60_000,
}, async () => {
  await using scratch = await createScratchDatabase("sqlite");
  // As `npm run seed -- --users 100000` in a terminal, interrupted once it has written a batch.
  const child = spawn(process.execPath, ["scripts/toolchain.mjs", "seed", "--users", "100000"], {
    cwd: fileURLToPath(new URL("../../../", import.meta.url)),
    env: { ...process.env, DOTENV_CONFIG_PATH: "/nonexistent/.env", DATABASE_URL: scratch.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
    if (!interrupted && /seeding: \d+\//.test(stderr)) interrupted = child.kill("SIGINT");
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  // Not 0: `npm run seed && npm start` must not go on as if it had seeded.
  expect(code, stderr).toBe(130);
  expect(stdout).toBe("");
  const users = (await countRows(scratch.url)).users;
  expect(users).toBeGreaterThan(1);
  // The admin and whole batches of 25: nothing half-written.
  expect((users - 1) % 25).toBe(0);
  expect(stderr).toContain(`Interrupted: ${users - 1} of 100000 demo users are in the database`);
  expect(stderr).toContain("npm run seed -- --force");
  expect(stderr).not.toMatch(/\n\s+at /);
});
