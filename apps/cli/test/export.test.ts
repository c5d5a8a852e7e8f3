import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { cli, mainScript, scratchFolder, startTestServer, type TestServer, unreachableUrl } from "./run.ts";

/** Users whose fields exercise quoting: commas, quotes, line breaks, accents, null and empty descriptions. */
async function seed(server: TestServer): Promise<void> {
  const { client } = server;
  const ann = await client.users.create.mutate({ name: 'Ann "the first", Esq.', email: "ann@example.com" });
  await client.items.create.mutate({
    userId: ann.id,
    title: "Notebook",
    description: "A5,\ndotted\r\nlines",
  });
  await client.items.create.mutate({ userId: ann.id, title: "Pen", description: null });
  await client.items.create.mutate({ userId: ann.id, title: "Ink", description: "" });
  const gone = await client.users.create.mutate({ name: "Gone", email: "gone@example.com" });
  await client.users.create.mutate({ name: "Zoë Ødegård", email: "zoe@example.com" });
  const cy = await client.users.create.mutate({ name: "Cy", email: "cy@example.com" });
  await client.items.create.mutate({ userId: cy.id, title: "  spaced  " });
  // A gap in the ids: the import must not depend on them.
  await client.users.delete.mutate({ id: gone.id });
  for (let i = 0; i < 120; i++)
    await client.users.create.mutate({ name: `User ${i}`, email: `u${i}@example.com` });
}

describe("export", () => {
  // CSV has one row an item (Ann takes three), JSON lines one line a user; both start with the
  // admin account (user 1), which the target server has too: that one row is refused as taken,
  // and the second export still matches the first byte for byte.
  for (const [format, rows, adminLine] of [
    ["csv", 126, 2],
    ["jsonl", 124, 1],
  ] as const) {
    it(`round-trips as ${format} with items: export, import into an empty database, export again, byte for byte`, async () => {
      using scratch = scratchFolder();
      await using source = await startTestServer();
      await seed(source);
      const first = await cli(source, "export", "--with-items", "--format", format);
      expect(first.code).toBe(0);

      await using target = await startTestServer();
      const file = scratch.file(`dump.${format}`, first.stdout);
      const imported = await cli(target, "import", file, "--json");
      expect(JSON.parse(imported.stdout)).toMatchObject({
        rows,
        created: rows - 1,
        rejected: 1,
        rejections: [{ line: adminLine, reason: "A user with email admin@example.org already exists" }],
        usersCreated: 123,
        itemsCreated: 4,
      });
      expect(imported.code).toBe(3);

      const second = await cli(target, "export", "--with-items", "--format", format);
      expect(second.stdout).toBe(first.stdout);
      expect(await target.count("users")).toBe(await source.count("users"));
      expect(await target.count("items")).toBe(await source.count("items"));
    }, 60_000);
  }

  it("writes one JSON object a line with only what an import needs", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });

    const admin = '{"name":"Admin","email":"admin@example.org"';
    const plain = await cli(server, "export");
    expect(plain.stdout).toBe(`${admin}}\n{"name":"Ann","email":"ann@example.com"}\n`);
    const withItems = await cli(server, "export", "--with-items");
    expect(withItems.stdout).toBe(
      `${admin},"items":[]}\n` +
        '{"name":"Ann","email":"ann@example.com","items":[{"title":"Pen","description":null}]}\n',
    );
  });

  it("writes to --out in the format its extension names, and says how much on stderr", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const out = `${scratch.folder}/users.csv`;

    const result = await cli(server, "export", "--out", out);
    expect(result).toMatchObject({ code: 0, stdout: "", stderr: `Exported 2 users to ${out}\n` });
    expect(readFileSync(out, "utf8")).toBe("name,email\nAdmin,admin@example.org\nAnn,ann@example.com\n");
  });

  it("leaves --out as it was when the export fails, with no partial file beside it", async () => {
    using scratch = scratchFolder();
    const out = scratch.file("users.jsonl", '{"name":"Ann","email":"ann@example.com"}\n');

    const result = await cli(await unreachableUrl(), "export", "--out", out);
    expect(result.code).not.toBe(0);
    expect(readFileSync(out, "utf8")).toBe('{"name":"Ann","email":"ann@example.com"}\n');
    expect(readdirSync(scratch.folder)).toEqual(["users.jsonl"]);
  });

  it("names the path, not the server, when --out cannot be written, and writes nothing", async () => {
    using scratch = scratchFolder();
    const out = `${scratch.folder}/missing/users.jsonl`;
    const result = await cli(await unreachableUrl(), "export", "--out", out);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toContain(`Cannot write ${out} (ENOENT): its folder does not exist`);
    expect(readdirSync(scratch.folder)).toEqual([]);

    // A folder where the file should go: found at the rename, after the whole export.
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    mkdirSync(`${scratch.folder}/taken`);
    const taken = await cli(server, "export", "--out", `${scratch.folder}/taken`);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("a folder is in the way");
    expect(readdirSync(scratch.folder)).toEqual(["taken"]);
  });

  it("removes its partial file on Ctrl-C and exits 130, leaving --out as it was", async () => {
    using scratch = scratchFolder();
    const out = scratch.file("users.jsonl", "earlier export\n");
    // A server that accepts and never answers: the export waits on its first page.
    const silent = createServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const address = silent.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const child = spawn(
        process.execPath,
        [mainScript, "export", "--url", `http://127.0.0.1:${port}`, "--out", out],
        {
          stdio: "ignore",
        },
      );
      const exited = once(child, "exit");
      while (readdirSync(scratch.folder).length < 2) await sleep(20);
      child.kill("SIGINT");
      const [code] = await exited;
      expect(code).toBe(130);
      expect(readdirSync(scratch.folder)).toEqual(["users.jsonl"]);
      expect(readFileSync(out, "utf8")).toBe("earlier export\n");
    } finally {
      silent.close();
    }
  });
});
