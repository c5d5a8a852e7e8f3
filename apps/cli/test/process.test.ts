import { describe, expect, it } from "vitest";
import { mainScript, runNode, startTestServer, unreachableUrl } from "./run.ts";

describe("the cli process", () => {
  it("reports an unreachable server in one line naming the URL, with no stack trace, and exits 1", async () => {
    const url = await unreachableUrl();
    const result = await runNode(mainScript, ["users", "list"], { API_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Cannot reach the server at ${url} (ECONNREFUSED). Start it with \`npm start\`, or point --url or API_URL at it.\n`,
    );
  });

  it("takes the server from API_URL and prints JSON that parses", async () => {
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const result = await runNode(mainScript, ["users", "list", "--json"], { API_URL: server.url });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).items[0]).toMatchObject({ name: "Ann" });
  });
});
