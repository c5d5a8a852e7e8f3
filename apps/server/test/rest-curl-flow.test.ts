import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/harness.ts";

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
    await using server = await startTestServer();
    const host = new URL(server.url).host;
    const outputs: string[] = [];
    for (const command of commands) {
      const { stdout } = await run("sh", ["-c", command.replaceAll("localhost:8000", host)]);
      outputs.push(stdout);
    }
    const [created, item, read, updated, deleted, gone] = outputs;

    expect(commands).toHaveLength(6);
    expect(JSON.parse(created ?? "")).toMatchObject({
      id: 1,
      name: "Ann",
      email: "ann@example.com",
      items: [],
    });
    expect(JSON.parse(item ?? "")).toMatchObject({ id: 1, title: "Notebook", ownerId: 1 });
    expect(JSON.parse(read ?? "")).toMatchObject({ id: 1, items: [{ id: 1, title: "Notebook" }] });
    expect(JSON.parse(updated ?? "")).toMatchObject({ id: 1, name: "Ann Lee", version: 2 });
    expect(JSON.parse(deleted ?? "")).toEqual({ id: 1 });
    expect(gone?.trim()).toBe("404");
    expect(await server.count("items")).toBe(0);
  });
});
