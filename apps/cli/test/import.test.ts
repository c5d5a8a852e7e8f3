import { describe, expect, it } from "vitest";
import { cli, scratchFolder, startTestServer, unreachableUrl } from "./run.ts";

const csv = `name,email,title,description
Ann,ann@example.com,Notebook,"A5, dotted"
Ann,ann@example.com,Pen,
Bob,not-an-email,,
,nameless@example.com,,
Carl,ANN@example.com,,
Dora,dora@example.com,${"x".repeat(201)},
Eve,eve@example.com,,
`;

describe("import", () => {
  it("creates the good rows, lists each rejected row with its line and reason, and exits 3", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const result = await cli(server, "import", scratch.file("people.csv", csv));

    expect(result.code).toBe(3);
    expect(result.stdout).toBe(
      [
        "Imported people.csv: 3 of 7 rows created (2 users, 2 items), 4 rejected:",
        "  line 4: email: Invalid email address",
        "  line 5: name: Too small: expected string to have >=1 characters",
        "  line 6: A user with email ann@example.com already exists",
        "  line 7: title: Too big: expected string to have <=200 characters",
        "",
      ].join("\n"),
    );
    // The admin the server starts with comes first; the import adds Ann and Eve after it.
    const users = await server.client.users.list.query({ withItems: true });
    expect(users.items.map((user) => [user.email, user.items?.map((item) => item.description)])).toEqual([
      ["admin@example.org", []],
      ["ann@example.com", ["A5, dotted", null]],
      ["eve@example.com", []],
    ]);
  });

  it("exits 0 when every row is imported, and reports in JSON with --json", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const lines = [
      { name: "Ann", email: "ann@example.com", items: [{ title: "Pen", description: "" }] },
      { name: "Bob", email: "bob@example.com", title: "Lamp" },
      { name: "Cy", email: "cy@example.com" },
    ];
    const file = scratch.file("people.jsonl", lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const result = await cli(server, "import", file, "--json");

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      format: "jsonl",
      rows: 3,
      created: 3,
      rejected: 0,
      usersCreated: 3,
      itemsCreated: 2,
      rejections: [],
    });
    expect(await server.count("users")).toBe(1 + 3);
  });

  it("rejects a JSON line that does not parse and goes on with the next", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const file = scratch.file(
      "people.jsonl",
      '{"name":"Ann","email":"ann@example.com"}\n{"name":\n\n{"name":"Bo","email":"bo@example.com"}\n',
    );
    const result = await cli(server, "import", file, "--json");

    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 3, created: 2, rejected: 1 });
    expect(summary.rejections[0].line).toBe(2);
    expect(summary.rejections[0].reason).toMatch(/^not valid JSON/);
  });

  it("imports 2,000 rows in batches of ten, in file order, with no terminal control codes in a log", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    // One row in four also adds an item: two thousand rows, two thousand five hundred calls.
    const rows = Array.from(
      { length: 2000 },
      (_, i) => `User ${i},user${i}@example.com,${i % 4 ? "" : `Item ${i}`},\n`,
    );
    const file = scratch.file("many.csv", `name,email,title,description\n${rows.join("")}`);
    const result = await cli(server, "import", file);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Imported many.csv: 2,000 of 2,000 rows created (2,000 users, 500 items), 0 rejected.\n",
    );
    expect(result.stderr).not.toContain("\r");
    expect(await server.count("items")).toBe(500);
    // Ids follow file order: the admin is user 1, the file's 2,000th row user 2,001.
    const last = await server.client.users.byId.query({ id: 2001 });
    expect(last.email).toBe("user1999@example.com");
  }, 60_000);

  it("treats a missing file, an unknown format or a bad CSV header as a usage error (exit 2)", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const missing = await cli(server, "import", `${scratch.folder}/nope.csv`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Cannot read .*nope\.csv/);

    const unknown = await cli(server, "import", scratch.file("people.txt", "name,email\n"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Cannot tell the format");

    const header = await cli(server, "import", scratch.file("people.csv", "fullname,mail\nAnn,a@b.co\n"));
    expect(header.code).toBe(2);
    expect(header.stderr).toContain("The CSV header must name the columns name,email");
    expect(await server.count("users")).toBe(1);
  });

  it("stops with exit 1 and one line naming the URL when the server is unreachable", async () => {
    using scratch = scratchFolder();
    const url = await unreachableUrl();
    const result = await cli(url, "import", scratch.file("people.csv", csv));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Cannot reach the server at ${url} (ECONNREFUSED). Start it with \`npm start\`, or point --url or API_URL at it.\n`,
    );
  });
});
