import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createScratchDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startServer } from "../src/server.ts";

const run = promisify(execFile);
const docsUrl = new URL("../../../docs/rest.md", import.meta.url);
const readmeUrl = new URL("../../../README.md", import.meta.url);

/** The commands of the first `sh` block after `heading`, continuation lines joined. */
function curlCommands(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.startsWith("curl "));
}

const commands = curlCommands(readFileSync(docsUrl, "utf8"), "## The seed's flow with curl");

describe("the seed's flow with curl, as documented", () => {
  it("is the same in README.md as in docs/rest.md", () => {
    const readme = existsSync(readmeUrl) ? readFileSync(readmeUrl, "utf8") : "";
    if (!readme.includes("## REST API")) return;
    expect(curlCommands(readme, "## REST API")).toEqual(commands);
  });

  it("creates a user, adds an item, reads it back, updates and deletes, exactly as written", async () => {
    // As a newcomer runs it: a fresh database, no admin account, a folder for the cookie jar.
    await using database = await createScratchDatabase("sqlite");
    await using server = await startServer(
      loadConfig({ DATABASE_URL: database.url, PORT: "0", LOG_LEVEL: "silent" }),
    );
    const cwd = mkdtempSync(join(tmpdir(), "curl-flow-"));
    const host = new URL(server.url).host;
    const outputs: string[] = [];
    try {
      for (const command of commands) {
        const { stdout } = await run("sh", ["-c", command.replaceAll("localhost:8000", host)], { cwd });
        outputs.push(stdout);
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    const [created, item, read, updated, deleted, gone] = outputs;

    expect(commands).toHaveLength(6);
    expect(JSON.parse(created ?? "")).toMatchObject({
      user: { id: 1, name: "Ann", email: "ann@example.com", role: "user" },
      token: expect.stringMatching(/^uis_/),
    });
    expect(JSON.parse(item ?? "")).toMatchObject({ id: 1, title: "Notebook", ownerId: 1 });
    expect(JSON.parse(read ?? "")).toMatchObject({ id: 1, items: [{ id: 1, title: "Notebook" }] });
    expect(JSON.parse(updated ?? "")).toMatchObject({ id: 1, name: "Ann Lee", version: 2 });
    expect(JSON.parse(deleted ?? "")).toEqual({ id: 1 });
    expect(gone?.trim()).toBe("401");
    const rows = await server.orm.em
      .fork()
      .execute("select (select count(*) from items) + (select count(*) from sessions) as n");
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
