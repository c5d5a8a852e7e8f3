import { join } from "node:path";
import { changeFeedOf } from "@app/api";
import { type Client, createClient } from "@app/client";
import { describe, expect, it } from "vitest";
import { startAdminServerProcess } from "../../server/test/support/server-process.ts";
import type { Change } from "../src/changes.ts";
import { scratchFolder, spawnCli, startCli, startTestServer, unreachableUrl } from "./run.ts";

/** `#42 2026-12-01 10:02:03 `: a line's id and UTC time, before what it says. */
const stamp = String.raw`#\d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d `;

/** Every change id the caller sees after `after`, walking `changes.list`: the history to compare with. */
async function historyIds(client: Client, after = 0): Promise<number[]> {
  const ids: number[] = [];
  for (let cursor: number | null = after; cursor !== null; ) {
    const page: { items: Change[]; nextCursor: number | null } = await client.changes.list.query({
      after: cursor,
      limit: 100,
    });
    ids.push(...page.items.map((change) => change.id));
    cursor = page.nextCursor;
  }
  return ids;
}

const idOf = (line: string) => Number(/^#(\d+) /.exec(line)?.[1]);

async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// In-process runs take a few seconds more to dispose of their server: after a streaming request is
// aborted, Node's fetch (undici) opens a fresh connection that sends nothing, and the server's
// close waits for it until the client drops it as idle (~4 s). A process that exits has no such wait.
describe("watch", { timeout: 30_000 }, () => {
  it("prints each change made through the API as it happens, one line each, until Ctrl-C (exit 0)", async () => {
    await using server = await startTestServer();
    await using watch = startCli(server, "watch");
    // The admin's own creation at start-up (#1) happened before: it is not printed.
    await watch.until((w) => w.stderr().includes("Following changes"), "the stream to start");
    expect(watch.stderr()).toBe(`Following changes on ${server.url} after #1; Ctrl-C to stop.\n`);

    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    await server.client.items.update.mutate({ id: pen.id, title: "Blue pen", description: "fine" });
    await server.client.users.update.mutate({ id: ann.id, name: "Anna" });
    await server.client.items.delete.mutate({ id: pen.id });
    await watch.until((w) => w.lines().length === 5, "five changes");
    const feed = changeFeedOf(server.orm);
    expect(feed.subscriberCount).toBe(1);
    watch.interrupt();
    const result = await watch.exited;
    expect(result.code).toBe(0);
    // Ctrl-C closes the stream: the server lets go of it.
    await until(() => feed.subscriberCount === 0, "the server to drop the subscriber");
    const lines = result.stdout.split("\n").slice(0, -1);
    expect(lines.map((line) => line.replace(new RegExp(`^${stamp}`), ""))).toEqual([
      "user 2 create by user 1 (version 1)",
      "item 1 create by user 1",
      'item 1 update by user 1: title "Pen" → "Blue pen", description null → "fine"',
      'user 2 update by user 1 (version 2): name "Ann" → "Anna"',
      "item 1 delete by user 1",
    ]);
    expect(lines.map(idOf)).toEqual([2, 3, 4, 5, 6]);
    expect(lines.every((line) => new RegExp(`^${stamp}`).test(line))).toBe(true);
  });

  it("shows a user only the changes to their own account and items", async () => {
    await using server = await startTestServer();
    const ann = await server.signUp("Ann");
    await using watch = startCli({ url: server.url, env: { API_TOKEN: ann.token } }, "watch");
    await watch.until((w) => w.stderr().includes("Following changes"), "the stream to start");
    await server.client.users.create.mutate({ name: "Bob", email: "bob@example.com" });
    await server.client.items.create.mutate({ title: "The admin's own" });
    await ann.client.items.create.mutate({ title: "Ann's pen" });
    await watch.until((w) => w.lines().length >= 1, "Ann's change");
    // Give the others time to show up, were they wrongly sent.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watch.lines().map((line) => line.replace(new RegExp(`^${stamp}`), ""))).toEqual([
      `item 2 create by user ${ann.user.id}`,
    ]);
  });

  it("with --after replays the history after that id, then follows; --json lines each parse as a Change", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    await server.client.items.update.mutate({ id: pen.id, title: "Blue pen" });

    await using watch = startCli(server, "watch", "--after", "2", "--json");
    await watch.until((w) => w.lines().length === 2, "the two changes after #2");
    await server.client.items.delete.mutate({ id: pen.id });
    await watch.until((w) => w.lines().length === 3, "the live one");
    const history = await server.client.changes.list.query({ after: 2 });
    watch.interrupt();
    expect((await watch.exited).code).toBe(0);

    const changes: Change[] = watch.lines().map((line) => JSON.parse(line));
    expect(changes).toEqual(history.items);
    expect(changes).toMatchObject([
      { id: 3, entity: "item", entityId: pen.id, op: "create", actorId: 1 },
      { id: 4, op: "update", fields: { title: ["Pen", "Blue pen"] } },
      { id: 5, op: "delete" },
    ]);
    expect(watch.stderr()).toBe(`Following changes on ${server.url} after #2; Ctrl-C to stop.\n`);
  });

  it("--after 0 replays the whole history kept", async () => {
    await using server = await startTestServer();
    await server.client.items.create.mutate({ title: "Pen" });
    await using watch = startCli(server, "watch", "--after", "0");
    await watch.until((w) => w.lines().length === 2, "both changes");
    expect(watch.lines().map(idOf)).toEqual([1, 2]);
    expect(watch.lines()[0]).toMatch(
      new RegExp(`^${stamp}user 1 create by no one signed in \\(version 1\\)$`),
    );
  });

  it("exits 3 with a clear message when the changes after --after were pruned, and 2 on a bad --after", async () => {
    await using server = await startTestServer();
    await server.client.items.create.mutate({ title: "Pen" });
    // What the retention job leaves behind: the rows gone and the head marking them pruned.
    const em = server.orm.em.fork();
    await em.execute("delete from changes");
    await em.execute("update change_head set pruned_through = last_id");

    await using watch = startCli(server, "watch", "--after", "1", "--json");
    const result = await watch.exited;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "The server no longer keeps the changes after #1 (older ones are pruned after CHANGES_RETENTION_DAYS)",
    );
    expect(result.stderr).toContain("run `watch` without --after to follow from now");
    // --json: still one JSON document a line, the last one saying why it stopped.
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 3 } });

    await using bad = startCli(server, "watch", "--after", "-1");
    expect(await bad.exited).toMatchObject({ code: 2 });
  });

  it("exits 4 with the usual signed-out message for a refused token, or when its session ends", async () => {
    await using server = await startTestServer();
    await using refused = startCli({ url: server.url, env: { API_TOKEN: "uit_not_a_token" } }, "watch");
    expect(await refused.exited).toMatchObject({
      code: 4,
      stderr: `The server at ${server.url} refused the token in API_TOKEN (revoked, expired or mistyped): set a valid one, or unset it and run \`cli login\`.\n`,
    });
    // The same from the stream itself (--after skips the history lookup that refused it above).
    await using streamRefused = startCli(
      { url: server.url, env: { API_TOKEN: "uit_not_a_token" } },
      "watch",
      "--after",
      "0",
    );
    expect(await streamRefused.exited).toMatchObject({ code: 4, stderr: refused.stderr() });

    const ann = await server.signUp("Ann");
    await using watch = startCli({ url: server.url, env: { API_TOKEN: ann.token } }, "watch");
    await watch.until((w) => w.stderr().includes("Following changes"), "the stream to start");
    await ann.client.auth.signOut.mutate();
    const result = await watch.exited;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("refused the token in API_TOKEN");
  });

  it("says at once that a server it never reached cannot be reached (exit 1)", async () => {
    const url = await unreachableUrl();
    for (const args of [["watch"], ["watch", "--after", "0"]]) {
      await using watch = startCli({ url }, ...args);
      const result = await watch.exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `Cannot reach the server at ${url} (ECONNREFUSED). Start it with \`npm start\`, or point --url or API_URL at it.\n`,
      );
    }
  });

  it("survives its server being killed and restarted on the same database: it reconnects and resumes with no gap and no duplicate", {
    timeout: 120_000,
  }, async () => {
    using scratch = scratchFolder();
    const env = { DATABASE_URL: `sqlite:${join(scratch.folder, "app.db")}` };
    let server = await startAdminServerProcess(env);
    const port = new URL(server.url).port;
    const { url } = server;
    const token = server.adminToken; // a session: kept in the database, valid after a restart
    const write = (at: string) => createClient({ url: at, token }).items;
    await using watch = spawnCli(["watch"], { API_URL: url, API_TOKEN: token });
    try {
      await watch.until((w) => w.stderr().includes("Following changes"), "the stream to start");
      const start = (await historyIds(createClient({ url, token }))).at(-1) ?? 0;
      await write(url).create.mutate({ title: "Before the kill" });
      await watch.until((w) => w.lines().length === 1, "the first change");

      // Killed: no goodbye on the stream. Meanwhile a second server on the same database takes writes.
      await server.stop("SIGKILL");
      await using other = await startAdminServerProcess(env);
      for (const title of ["While down 1", "While down 2", "While down 3"]) {
        await write(other.url).create.mutate({ title });
      }
      await watch.until((w) => w.stderr().includes("Lost the connection"), "the loss to be said", 30_000);
      server = await startAdminServerProcess({ ...env, PORT: port });
      await write(url).create.mutate({ title: "After the restart" });
      // Its next attempt may be seconds away: the waits grow while the server is down.
      await watch.until((w) => w.lines().length === 5, "the missed changes and the new one", 30_000);

      // Stopped gracefully this time: the server ends the stream (SERVICE_UNAVAILABLE) as it goes.
      await server.stop("SIGTERM");
      await write(other.url).create.mutate({ title: "While down again" });
      server = await startAdminServerProcess({ ...env, PORT: port });
      await write(url).create.mutate({ title: "After the second restart" });
      await watch.until((w) => w.lines().length === 7, "every change", 30_000);
      await new Promise((resolve) => setTimeout(resolve, 300));

      const printed = watch.lines().map(idOf);
      expect(printed).toEqual(await historyIds(createClient({ url, token }), start));
      expect(printed).toHaveLength(7);
      expect(new Set(printed).size).toBe(printed.length);
      expect(watch.lines().map((line) => line.replace(new RegExp(`^${stamp}`), ""))).toEqual(
        printed.map((_, i) => `item ${i + 1} create by user 1`),
      );
      const stderr = watch.stderr();
      expect(stderr).toMatch(/Lost the connection to http:\/\/\S+ \(.+\); reconnecting in 0\.5s…\n/);
      expect(stderr).toContain("(The server is shutting down: resubscribe after");
      expect(stderr).toContain(`Reconnected to ${url}: resuming after #${printed[0]}.\n`);
      expect(stderr).toContain(`Reconnected to ${url}: resuming after #${printed[4]}.\n`);

      watch.interrupt();
      const result = await watch.exited;
      expect(result.code).toBe(0);
    } finally {
      await server.stop("SIGKILL");
    }
  });
});
