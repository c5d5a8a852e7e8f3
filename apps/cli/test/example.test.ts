import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNode, startTestServer } from "./run.ts";

const example = fileURLToPath(new URL("../examples/users-report.ts", import.meta.url));

describe("the example script", () => {
  it("creates a user with two items, then reports them; run again, it skips the taken email", async () => {
    await using server = await startTestServer();
    const first = await runNode(example, [], { API_URL: server.url });
    expect(first).toMatchObject({ code: 0, stdout: "ann@example.com: 2 items\n" });

    const second = await runNode(example, [], { API_URL: server.url });
    expect(second.stdout).toBe(
      "skipped creating: A user with email ann@example.com already exists\nann@example.com: 2 items\n",
    );
  });
});
