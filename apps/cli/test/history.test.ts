import { describe, expect, it } from "vitest";
import type { Change } from "../src/changes.ts";
import { cli, runCliWith, startTestServer } from "./run.ts";

/** A line without its `#id date time ` stamp. */
const unstamped = (line: string) => line.replace(/^#\d+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, "");

describe("history", () => {
  it("prints past changes oldest first, filtered by record, a page at a time or every page", async () => {
    await using server = await startTestServer();
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    await server.client.items.update.mutate({ id: pen.id, title: "Blue pen" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Ink" });

    const all = await cli(server, "history");
    expect(all.code).toBe(0);
    expect(all.stdout.split("\n").slice(0, -1).map(unstamped)).toEqual([
      "user 1 create by no one signed in (version 1)",
      "user 2 create by user 1 (version 1)",
      "item 1 create by user 1",
      'item 1 update by user 1: title "Pen" → "Blue pen"',
      "item 2 create by user 1",
    ]);
    expect(all.stdout).toMatch(/^#1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d user 1 create/);

    const pens = await cli(server, "history", "--entity", "item", "--id", String(pen.id));
    expect(pens.stdout.split("\n").slice(0, -1).map(unstamped)).toEqual([
      "item 1 create by user 1",
      'item 1 update by user 1: title "Pen" → "Blue pen"',
    ]);

    const page = await cli(server, "history", "--limit", "2", "--after", "1");
    expect(page.stdout.split("\n").slice(0, -1)).toHaveLength(3);
    expect(page.stdout).toMatch(/^#2 /);
    expect(page.stdout).toContain("More changes: add --after 3 for the next page, or --all.\n");

    const rest = await cli(server, "history", "--after", "3", "--all", "--json");
    const parsed: { items: Change[]; nextCursor: number | null } = JSON.parse(rest.stdout);
    expect(parsed.items.map((change) => change.id)).toEqual([4, 5]);
    expect(parsed.nextCursor).toBeNull();

    expect((await cli(server, "history", "--after", "5")).stdout).toBe("No changes.\n");
  });

  it("shows a user only their own, and refuses --id without --entity or an unknown entity", async () => {
    await using server = await startTestServer();
    const ann = await server.signUp("Ann");
    await server.client.items.create.mutate({ title: "The admin's" });
    await ann.client.items.create.mutate({ title: "Ann's" });
    const asAnn = await runCliWith({ url: server.url, env: { API_TOKEN: ann.token } }, "history", "--json");
    const changes: Change[] = JSON.parse(asAnn.stdout).items;
    expect(changes.map(({ entity, entityId }) => `${entity} ${entityId}`)).toEqual([
      `user ${ann.user.id}`,
      "item 2",
    ]);

    expect(await cli(server, "history", "--id", "2")).toMatchObject({
      code: 2,
      stderr: "Give --entity with --id\nRun with --help for usage.\n",
    });
    expect((await cli(server, "history", "--entity", "order")).stderr).toContain(
      '--entity must be user or item, got "order"',
    );
  });
});
