import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { afterEach, describe, expect, it } from "vitest";
import { testAdmin } from "./support/harness.ts";
import { startServerProcess } from "./support/server-process.ts";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "server-process-"));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

function startProcess(env: Record<string, string>) {
  return startServerProcess(env).then((server) => {
    cleanups.push(() => server.child.kill("SIGKILL"));
    return server;
  });
}

/** The admin account every process here starts with, as ADMIN_EMAIL and ADMIN_PASSWORD. */
const adminEnv = { ADMIN_EMAIL: testAdmin.email, ADMIN_PASSWORD: testAdmin.password };

/** Signs in as the admin and returns a client that sends its session token. */
async function signedInClient(url: string, options: { maxBatchSize?: number } = {}) {
  const { token } = await createClient({ url }).auth.signIn.mutate(testAdmin);
  return { token, client: createClient({ url, token, ...options }) };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
}

describe("the server process", { timeout: 60_000 }, () => {
  it("creates the SQLite file and its folders on first start, serves, and exits 0 on SIGTERM", async () => {
    const dbFile = join(freshFolder(), "not", "yet", "there", "app.db");
    const { child, url } = await startProcess({ DATABASE_URL: `sqlite:${dbFile}` });
    expect(existsSync(dbFile)).toBe(true);
    const client = createClient({ url });
    expect(await client.health.query()).toEqual({ status: "ok", db: "ok" });
    const exited = exitOf(child);
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it("drains in-flight calls on SIGTERM under load, exits 0 promptly, and loses no acknowledged write", async () => {
    const dbFile = join(freshFolder(), "app.db");
    const first = await startProcess({ DATABASE_URL: `sqlite:${dbFile}`, ...adminEnv });
    const { token, client } = await signedInClient(first.url, { maxBatchSize: 1 });
    const acknowledged: string[] = [];
    let refused = 0;
    const worker = async (w: number) => {
      for (let i = 0; ; i++) {
        try {
          acknowledged.push(
            (await client.users.create.mutate({ name: `W${w}`, email: `w${w}-${i}@example.com` })).email,
          );
        } catch {
          refused++; // refused once the server stopped accepting: never acknowledged, so never owed
          return;
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitOf(first.child);
    const signalled = Date.now();
    first.child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
    const drainMs = Date.now() - signalled;
    await load;
    expect(drainMs).toBeLessThan(10_000);
    console.info(
      `shutdown: exit 0 ${drainMs} ms after SIGTERM; ${acknowledged.length} writes acknowledged, ${refused} refused`,
    );

    const second = await startProcess({ DATABASE_URL: `sqlite:${dbFile}`, ...adminEnv });
    // Sessions are rows in the database: the first process's survives the restart.
    const reader = createClient({ url: second.url, token });
    const stored = await reader.users.list.query({
      limit: 100,
      search: "@example.com",
    });
    const all = new Set(stored.items.map((u) => u.email));
    for (let cursor = stored.nextCursor; cursor !== null; ) {
      const page = await reader.users.list.query({ limit: 100, cursor });
      for (const user of page.items) all.add(user.email);
      cursor = page.nextCursor;
    }
    expect(acknowledged.filter((email) => !all.has(email))).toEqual([]);
  });

  it("refuses bad configuration with one line naming the variable, and exit code 1", async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: "eighty", LOG_LEVEL: "loud" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/PORT: .*LOG_LEVEL: /);
  });

  it("refuses a too-short ADMIN_PASSWORD in one line that does not print it, and exit code 1", async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ADMIN_EMAIL: testAdmin.email, ADMIN_PASSWORD: "hunter2" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { code, stderr } = await exitOf(child);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/ADMIN_PASSWORD: Use at least 8 characters/);
    expect(stderr).not.toContain("hunter2");
  });
});
