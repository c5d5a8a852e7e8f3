import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { afterEach, describe, expect, it } from "vitest";
import { startServerProcess } from "./server-process.ts";

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

  it("finishes in-flight calls on SIGTERM, and keeps every acknowledged write", async () => {
    const dbFile = join(freshFolder(), "app.db");
    const first = await startProcess({ DATABASE_URL: `sqlite:${dbFile}` });
    const client = createClient({ url: first.url, maxBatchSize: 1 });
    const writes = Array.from({ length: 30 }, (_, i) =>
      client.users.create.mutate({ name: `U${i}`, email: `u${i}@example.com` }),
    );
    const exited = exitOf(first.child);
    setTimeout(() => first.child.kill("SIGTERM"), 5);
    const results = await Promise.allSettled(writes);
    expect((await exited).code).toBe(0);
    const acknowledged = results.filter((r) => r.status === "fulfilled").map((r) => r.value.email);

    const second = await startProcess({ DATABASE_URL: `sqlite:${dbFile}` });
    const stored = (await createClient({ url: second.url }).users.list.query({ limit: 100 })).items;
    expect(stored.map((u) => u.email)).toEqual(expect.arrayContaining(acknowledged));
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
});
