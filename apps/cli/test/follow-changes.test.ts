import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { spawnScript, startTestServer } from "./run.ts";

const example = fileURLToPath(new URL("../examples/follow-changes.ts", import.meta.url));

describe("the follow-changes example", () => {
  it("prints the changes after AFTER, then new ones as they commit, and stops after COUNT", async () => {
    await using server = await startTestServer();
    const pen = await server.client.items.create.mutate({ title: "Pen" });
    const env = { API_URL: server.url, API_TOKEN: server.adminToken };
    // After #1 (the admin's creation at start-up): the pen, then two live changes.
    await using follows = spawnScript(example, ["1", "3"], env);
    await follows.until((run) => run.lines().length === 1, "the pen's creation");
    await server.client.items.update.mutate({ id: pen.id, title: "Blue pen" });
    await server.client.items.delete.mutate({ id: pen.id });
    expect(await follows.exited).toEqual({
      code: 0,
      stdout: '#2 item 1 create\n#3 item 1 update: title "Pen" → "Blue pen"\n#4 item 1 delete\n',
      stderr: "following changes (Ctrl-C to stop)\n",
    });
  });

  it("stops at Ctrl-C with exit 0, and says the token was refused with exit 4", async () => {
    await using server = await startTestServer();
    await using follows = spawnScript(example, [], { API_URL: server.url, API_TOKEN: server.adminToken });
    await follows.until((run) => run.stderr().includes("following"), "the stream to start");
    follows.interrupt();
    expect(await follows.exited).toMatchObject({ code: 0, stdout: "" });

    await using refused = spawnScript(example, ["0"], { API_URL: server.url, API_TOKEN: "uit_wrong" });
    const result = await refused.exited;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("the token is not valid");
  });
});
