import { describe, expect, it } from "vitest";
import { mainScript, runNode, scratchFolder, startTestServer, testAdmin, unreachableUrl } from "./run.ts";

describe("the cli process", () => {
  it("reports an unreachable server in one line naming the URL, with no stack trace, and exits 1", async () => {
    const url = await unreachableUrl();
    const result = await runNode(mainScript, ["users", "list"], { API_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Cannot reach the server at ${url} (ECONNREFUSED). Start it with \`npm start\`, or point --url or API_URL at it.\n`,
    );
  });

  it("takes the server from API_URL and the token from API_TOKEN, and prints JSON that parses", async () => {
    await using server = await startTestServer();
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const env = { API_URL: server.url, API_TOKEN: server.adminToken };
    const result = await runNode(mainScript, ["users", "list", "--json"], env);
    expect(result.code).toBe(0);
    const users: Array<{ name: string }> = JSON.parse(result.stdout).items;
    expect(users.map((user) => user.name)).toEqual(["Admin", "Ann"]);
  });

  it("logs in with the password piped to --password-stdin, and the next process uses that login", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { API_URL: server.url, XDG_CONFIG_HOME: scratch.folder };
    const login = await runNode(
      mainScript,
      ["login", "--email", testAdmin.email, "--password-stdin"],
      env,
      `${testAdmin.password}\n`,
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("Signed in to");
    expect(`${login.stdout}${login.stderr}`).not.toContain(testAdmin.password);

    const whoami = await runNode(mainScript, ["whoami", "--json"], env);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ email: testAdmin.email, role: "admin" });
  });
});
