import { describe, expect, it } from "vitest";
import { cli, startTestServer } from "./run.ts";

describe("users and items commands", () => {
  // The server's admin (the CLI's caller here, through API_TOKEN) is user 1: Ann is user 2.
  it("creates, reads, updates and deletes a user and its items, printing readable lines and tables", async () => {
    await using server = await startTestServer();
    const created = await cli(server, "users", "create", "--name", "Ann", "--email", "Ann@Example.com");
    expect(created).toMatchObject({ code: 0, stdout: "Created user 2: Ann <ann@example.com> (version 1)\n" });

    const item = await cli(
      server,
      "items",
      "create",
      "--user",
      "2",
      "--title",
      "Pen",
      "--description",
      "blue",
    );
    expect(item.stdout).toBe('Created item 1: "Pen" of user 2\n');

    const shown = await cli(server, "users", "get", "2");
    expect(shown.stdout).toMatch(/^user 2: Ann <ann@example\.com> \(version 1\)\n/);
    expect(shown.stdout).toMatch(/\nid {2}title {2}description {2}owner {2}updated\n/);
    expect(shown.stdout).toMatch(/\n 1 +Pen +blue +2 +\d{4}-/);

    const updated = await cli(server, "users", "update", "2", "--name", "Anna", "--version", "1");
    expect(updated.stdout).toBe("Updated user 2: Anna <ann@example.com> (version 2)\n");
    const cleared = await cli(server, "items", "update", "1", "--clear-description", "--json");
    expect(JSON.parse(cleared.stdout)).toMatchObject({ id: 1, description: null });

    expect((await cli(server, "users", "delete", "2")).stdout).toBe("Deleted user 2 and its items\n");
    expect(await server.count("items")).toBe(0);
    expect(await server.count("users")).toBe(1);
  });

  it("prints JSON that parses with --json, for one record and for a page", async () => {
    await using server = await startTestServer();
    const created = await cli(
      server,
      "--json",
      "users",
      "create",
      "--name",
      "Ann",
      "--email",
      "ann@example.com",
    );
    expect(JSON.parse(created.stdout)).toMatchObject({
      id: 2,
      name: "Ann",
      email: "ann@example.com",
      role: "user",
      items: [],
    });

    const list = await cli(server, "users", "list", "--json", "--with-items");
    expect(JSON.parse(list.stdout)).toMatchObject({
      items: [
        { id: 1, role: "admin", items: [] },
        { id: 2, role: "user", items: [] },
      ],
      nextCursor: null,
    });
    const items = await cli(server, "items", "list", "--json");
    expect(JSON.parse(items.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it("lists one page with a hint for the next, or every page with --all", async () => {
    await using server = await startTestServer();
    for (let i = 1; i <= 130; i++) {
      await server.client.users.create.mutate({ name: `User ${i}`, email: `u${i}@example.com` });
    }
    const page = await cli(server, "users", "list", "--limit", "2");
    expect(page.stdout).toMatch(/^id {2}name {4}email/);
    expect(page.stdout).toContain("More users: add --cursor 2 for the next page, or --all.\n");

    // The admin (user 1) and the 130 created: every one of them, in order.
    const all = await cli(server, "users", "list", "--all", "--json");
    const users: Array<{ id: number }> = JSON.parse(all.stdout).items;
    expect(users.map((user) => user.id)).toEqual(Array.from({ length: 131 }, (_, i) => i + 1));
  });

  it("says which user is missing or which email is taken, and exits 3", async () => {
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });

    expect(await cli(server, "users", "get", "42")).toEqual({
      code: 3,
      stdout: "",
      stderr: "User 42 not found\n",
    });
    const taken = await cli(server, "users", "create", "--name", "Imp", "--email", "ANN@example.com");
    expect(taken).toMatchObject({ code: 3, stderr: "A user with email ann@example.com already exists\n" });
    const stale = await cli(server, "users", "update", "2", "--name", "X", "--version", "7");
    expect(stale.stderr).toBe(
      "User 2 was changed by someone else since version 7 (it is now at version 1)\n",
    );
    const invalid = await cli(server, "users", "create", "--name", "Bob", "--email", "nope");
    expect(invalid).toMatchObject({ code: 3, stderr: "email: Invalid email address\n" });

    const json = await cli(server, "items", "get", "9", "--json");
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: "Item 9 not found", exitCode: 3 } });
  });

  it("treats a malformed command line as a usage error (exit 2) without calling the server", async () => {
    await using server = await startTestServer();
    const cases: Array<[string[], string]> = [
      [["users", "get", "abc"], 'user ID must be a positive integer, got "abc"'],
      [["users", "frobnicate"], 'Unknown command "users frobnicate": users list|get|create|update|delete'],
      [["users", "create", "--name", "Ann"], "Give both --name and --email"],
      [["users", "list", "--colour"], "Unknown option '--colour'"],
      [["export", "--format", "xml"], '--format must be csv or jsonl, got "xml"'],
      [["import"], "Missing FILE"],
      [["whoami", "extra"], 'Unexpected argument "extra"'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(server, ...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    // Only the admin the server starts with.
    expect(await server.count("users")).toBe(1);
  });

  it("prints help for every command, or for one group", async () => {
    const all = await cli("http://127.0.0.1:1", "--help");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("users list [--search TEXT]");
    expect(all.stdout).toContain("import FILE");
    expect(all.stdout).toContain("login [--email EMAIL] [--password-stdin]");
    expect(all.stdout).toContain("4 not signed in");
    expect(all.stdout).toContain("5 needs an admin");
    expect(all.stdout).toContain("watch [--after ID]");
    expect(all.stdout).toContain("history [--entity user|item] [--id N] [--after ID]");
    expect(all.stdout).toContain("watch runs until Ctrl-C, which exits 0");
    const watch = await cli("http://127.0.0.1:1", "help", "watch");
    expect(watch.stdout).toContain("Print changes as they commit, until Ctrl-C");
    expect(watch.stdout).not.toContain("history [");
    const items = await cli("http://127.0.0.1:1", "help", "items");
    expect(items.stdout).toContain("items create --title TITLE [--description TEXT] [--user ID]");
    expect(items.stdout).not.toContain("users create");
  });
});
