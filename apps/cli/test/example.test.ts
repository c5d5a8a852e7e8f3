import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNode, startTestServer } from "./run.ts";

const example = fileURLToPath(new URL("../examples/users-report.ts", import.meta.url));

describe("the example script", () => {
  it("creates a user with two items, then reports them; run again, it skips the taken email", async () => {
    await using server = await startTestServer();
    const env = { API_URL: server.url, API_TOKEN: server.adminToken };
    const first = await runNode(example, [], env);
    // The admin the server starts with is listed first: it has no items.
    expect(first).toMatchObject({
      code: 0,
      stdout: "admin@example.org: 0 items\nann@example.com: 2 items\n",
    });

    const second = await runNode(example, [], env);
    expect(second.stdout).toBe(
      "skipped creating: A user with email ann@example.com already exists\n" +
        "admin@example.org: 0 items\nann@example.com: 2 items\n",
    );
  });

  it("says it needs API_TOKEN, and sends nothing, when it is not set", async () => {
    await using server = await startTestServer();
    const result = await runNode(example, [], { API_URL: server.url });
    expect(result).toMatchObject({ code: 4, stdout: "" });
    expect(result.stderr).toContain("Set API_TOKEN to an admin's token");
    expect(await server.count("users")).toBe(1);
  });
});
