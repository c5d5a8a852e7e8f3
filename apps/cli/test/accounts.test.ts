import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createClient, isClientError } from "@app/client";
import { describe, expect, it } from "vitest";
import { tokenName } from "../src/commands/account.ts";
import { saveCredential } from "../src/credentials.ts";
import {
  type CliResult,
  cli,
  runCliWith,
  scratchFolder,
  startTestServer,
  type TestServer,
  testAdmin,
  unreachableUrl,
} from "./run.ts";

/** The credentials file `login` writes under XDG_CONFIG_HOME, and its folder. */
function credentialsIn(configHome: string) {
  const folder = join(configHome, "users-items");
  return { folder, file: join(folder, "credentials.json") };
}

/** What is stored for a server, read as a user would with `cat`. */
function storedFor(file: string, url: string): { token: string; tokenId: number; tokenName: string } {
  return JSON.parse(readFileSync(file, "utf8")).servers[url];
}

/** `login --email … --password-stdin` with the password on stdin, as `printf '%s\n' "$PW" |` would. */
function login(url: string, env: Record<string, string>, email: string, password: string, ...args: string[]) {
  return runCliWith(
    { url, env, stdin: `${password}\n` },
    "login",
    "--email",
    email,
    "--password-stdin",
    ...args,
  );
}

/** Neither the password nor any token may appear in what the CLI printed. */
function expectNoSecret(result: CliResult, ...secrets: string[]): void {
  const printed = `${result.stdout}${result.stderr}`;
  for (const secret of secrets) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/\buit_|\buis_/);
}

async function sessionCount(server: TestServer): Promise<number> {
  const rows = await server.orm.em.fork().execute("select count(*) as n from sessions");
  return Number(rows[0]?.n);
}

async function isRefused(url: string, token: string): Promise<boolean> {
  return createClient({ url, token })
    .auth.me.query()
    .then(
      () => false,
      (error: unknown) => isClientError(error) && error.data?.code === "UNAUTHORIZED",
    );
}

/**
 * A terminal as the CLI sees one: `isTTY`, and `setRawMode`, which it records. Each time the CLI
 * turns raw mode on (a prompt), the next scripted keystrokes arrive, as a person would type them.
 */
class FakeTerminal extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  private readonly keystrokes: string[];

  constructor(keystrokes: string[]) {
    super();
    this.keystrokes = [...keystrokes];
  }

  setRawMode(raw: boolean): this {
    this.rawModes.push(raw);
    const next = raw ? this.keystrokes.shift() : undefined;
    if (next !== undefined) setImmediate(() => this.write(next));
    return this;
  }
}

describe("login, whoami and logout", () => {
  it("logs in with --password-stdin: stores an API token named after the host, mode 0600 in a 0700 folder, and prints no secret", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const sessionsBefore = await sessionCount(server);

    const result = await login(server.url, env, testAdmin.email, testAdmin.password);
    const { folder, file } = credentialsIn(scratch.folder);
    expect(result).toEqual({
      code: 0,
      stdout:
        `Signed in to ${server.url} as Admin <admin@example.org> (admin, user 1).\n` +
        `Token "${tokenName()}" stored in ${file}.\n`,
      stderr: "",
    });
    expectNoSecret(result, testAdmin.password);

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const stored = storedFor(file, server.url);
    expect(stored.token).toMatch(/^uit_/);
    const tokens = await server.client.auth.tokens.list.query();
    expect(tokens.items).toEqual([expect.objectContaining({ id: stored.tokenId, name: tokenName() })]);
    // The session the sign-in opened served only to create the token: it is ended, not left behind.
    expect(await sessionCount(server)).toBe(sessionsBefore);
  });

  it("asks for the email with echo and the password without, on a terminal, and puts the terminal back", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    // A typo in the password, rubbed out with Backspace; an arrow key, ignored.
    const terminal = new FakeTerminal([`${testAdmin.email}\r`, `${testAdmin.password}x\x7f\x1b[D\r`]);
    const result = await runCliWith(
      { url: server.url, env: { XDG_CONFIG_HOME: scratch.folder }, stdin: terminal },
      "login",
    );

    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`Email: ${testAdmin.email}\nPassword: \n`);
    expectNoSecret(result, testAdmin.password);
    expect(terminal.rawModes).toEqual([true, false, true, false]);
    expect(terminal.isPaused()).toBe(true);
  });

  it("cancels on Ctrl-C at the password prompt (exit 130), storing nothing and putting the terminal back", async () => {
    using scratch = scratchFolder();
    const terminal = new FakeTerminal(["adm\x03"]);
    const result = await runCliWith(
      { url: "http://127.0.0.1:1", env: { XDG_CONFIG_HOME: scratch.folder }, stdin: terminal },
      "login",
      "--email",
      testAdmin.email,
    );
    expect(result).toEqual({ code: 130, stdout: "", stderr: "Password: \nCancelled\n" });
    expect(terminal.rawModes).toEqual([true, false]);
    expect(existsSync(credentialsIn(scratch.folder).folder)).toBe(false);
  });

  it("says the email or password is wrong (exit 4) and stores nothing", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const result = await login(
      server.url,
      { XDG_CONFIG_HOME: scratch.folder },
      testAdmin.email,
      "not it at all",
    );
    expect(result).toEqual({ code: 4, stdout: "", stderr: "Wrong email or password\n" });
    expect(existsSync(credentialsIn(scratch.folder).file)).toBe(false);
  });

  it("refuses to ask for a password without a terminal, and --password-stdin without --email (exit 2)", async () => {
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const noTerminal = await runCliWith({ url: "http://127.0.0.1:1", env }, "login", "--email", "a@b.co");
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("stdin is not a terminal");
    const noEmail = await runCliWith(
      { url: "http://127.0.0.1:1", env, stdin: "pw\n" },
      "login",
      "--password-stdin",
    );
    expect(noEmail.code).toBe(2);
    expect(noEmail.stderr).toContain("Give --email with --password-stdin");
    const empty = await runCliWith(
      { url: "http://127.0.0.1:1", env, stdin: "\n" },
      "login",
      "--email",
      "a@b.co",
      "--password-stdin",
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--password-stdin: stdin was empty");
  });

  it("whoami prints the account the stored login belongs to, as a line or as JSON", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const ann = await server.signUp("Ann");
    await login(server.url, env, ann.user.email, ann.password);

    expect(await runCliWith({ url: server.url, env }, "whoami")).toEqual({
      code: 0,
      stdout: `Ann <ann@example.com> (user, user 2)\nsigned in to ${server.url} with the token login stored\n`,
      stderr: "",
    });
    const json = await runCliWith({ url: server.url, env }, "whoami", "--json");
    expect(JSON.parse(json.stdout)).toEqual(
      expect.objectContaining({ id: 2, name: "Ann", email: "ann@example.com", role: "user" }),
    );
    expect(JSON.parse(json.stdout)).not.toHaveProperty("passwordHash");
  });

  it("logout revokes the token on the server, deletes it here, and says so; a second logout has nothing to do", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const { file } = credentialsIn(scratch.folder);
    await login(server.url, env, testAdmin.email, testAdmin.password);
    const { token } = storedFor(file, server.url);

    const result = await runCliWith({ url: server.url, env }, "logout");
    expect(result).toEqual({
      code: 0,
      stdout: `Logged out of ${server.url} (admin@example.org): the token is revoked on the server and deleted here.\n`,
      stderr: "",
    });
    expect(await isRefused(server.url, token)).toBe(true);
    expect((await server.client.auth.tokens.list.query()).items).toEqual([]);
    expect(existsSync(file)).toBe(false);

    const again = await runCliWith({ url: server.url, env }, "logout");
    expect(again).toEqual({
      code: 0,
      stdout: `Not logged in to ${server.url}: nothing to do.\n`,
      stderr: "",
    });
    const after = await runCliWith({ url: server.url, env }, "whoami");
    expect(after.code).toBe(4);
  });

  it("logout still deletes the token here when it was already revoked on the server, and says so", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const { file } = credentialsIn(scratch.folder);
    await login(server.url, env, testAdmin.email, testAdmin.password);
    await server.client.auth.tokens.revoke.mutate({ id: storedFor(file, server.url).tokenId });

    const stale = await runCliWith({ url: server.url, env }, "users", "list");
    expect(stale).toEqual({
      code: 4,
      stdout: "",
      stderr: `Your login to ${server.url} is no longer valid (its token was revoked or has expired): run \`cli login\` again, or set API_TOKEN.\n`,
    });

    const result = await runCliWith({ url: server.url, env }, "logout", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      url: server.url,
      loggedOut: true,
      email: testAdmin.email,
      server: "already invalid",
    });
    expect(existsSync(file)).toBe(false);
  });

  it("logout works when the server cannot be reached: deleted here, with a warning that the token may still be valid", async () => {
    using scratch = scratchFolder();
    const url = await unreachableUrl();
    const { file } = credentialsIn(scratch.folder);
    saveCredential(file, url, {
      token: "uit_not_a_real_token",
      tokenId: 7,
      tokenName: "cli on somewhere",
      email: "ann@example.com",
      createdAt: new Date().toISOString(),
    });

    const result = await runCliWith({ url, env: { XDG_CONFIG_HOME: scratch.folder } }, "logout");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Logged out of ${url} (ann@example.com): the server could not be reached; the token is deleted here only.\n`,
    );
    expect(result.stderr).toBe(
      `Cannot reach the server at ${url} (ECONNREFUSED). The token "cli on somewhere" (id 7) may still be valid there: ` +
        "revoke it from another session (auth.tokens.revoke) once the server is back.\n",
    );
    expect(existsSync(file)).toBe(false);
  });

  it("keeps one login per server: two servers do not mix, and logging out of one keeps the other", async () => {
    await using first = await startTestServer();
    await using second = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const ann = await second.signUp("Ann");
    await login(first.url, env, testAdmin.email, testAdmin.password);
    // The same server written another way (a trailing slash) is the same login.
    await login(`${second.url}/`, env, ann.user.email, ann.password);

    const whoFirst = await runCliWith({ url: first.url, env }, "whoami", "--json");
    const whoSecond = await runCliWith({ url: second.url, env }, "whoami", "--json");
    expect(JSON.parse(whoFirst.stdout)).toMatchObject({ email: testAdmin.email, role: "admin" });
    expect(JSON.parse(whoSecond.stdout)).toMatchObject({ email: "ann@example.com", role: "user" });

    await runCliWith({ url: first.url, env }, "logout");
    expect((await runCliWith({ url: first.url, env }, "whoami")).code).toBe(4);
    expect((await runCliWith({ url: second.url, env }, "whoami")).code).toBe(0);
    const { file } = credentialsIn(scratch.folder);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).servers)).toEqual([second.url]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("logging in again replaces the stored token and revokes the one it replaces", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    const { file } = credentialsIn(scratch.folder);
    await login(server.url, env, testAdmin.email, testAdmin.password);
    const old = storedFor(file, server.url);
    await login(server.url, env, testAdmin.email, testAdmin.password);
    const current = storedFor(file, server.url);

    expect(current.tokenId).not.toBe(old.tokenId);
    expect(await isRefused(server.url, old.token)).toBe(true);
    expect((await server.client.auth.tokens.list.query()).items.map((token) => token.id)).toEqual([
      current.tokenId,
    ]);
  });
});

describe("credentials every command sends", () => {
  it("sends API_TOKEN instead of the stored login when it is set", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    await login(server.url, env, testAdmin.email, testAdmin.password);
    const bob = await server.signUp("Bob");

    const asBob = await runCliWith({ url: server.url, env: { ...env, API_TOKEN: bob.token } }, "whoami");
    expect(asBob.stdout).toBe(
      `Bob <bob@example.com> (user, user 2)\nsigned in to ${server.url} with the token in API_TOKEN\n`,
    );
    const asAdmin = await runCliWith({ url: server.url, env }, "whoami", "--json");
    expect(JSON.parse(asAdmin.stdout)).toMatchObject({ email: testAdmin.email });
  });

  it("tells a caller with no credential to log in, with exit 4, for any command", async () => {
    await using server = await startTestServer();
    const expected = {
      code: 4,
      stdout: "",
      stderr: `Not signed in to ${server.url}: run \`cli login\`, or set API_TOKEN to a token.\n`,
    };
    expect(await runCliWith({ url: server.url }, "users", "get", "1")).toEqual(expected);
    expect(await runCliWith({ url: server.url }, "whoami")).toEqual(expected);
    const json = await runCliWith({ url: server.url }, "items", "list", "--json");
    expect(JSON.parse(json.stdout)).toEqual({
      error: { message: expected.stderr.trimEnd(), exitCode: 4 },
    });
  });

  it("names API_TOKEN when the server refuses the token in it", async () => {
    await using server = await startTestServer();
    const result = await runCliWith(
      { url: server.url, env: { API_TOKEN: "uit_revoked_or_mistyped" } },
      "whoami",
    );
    expect(result).toEqual({
      code: 4,
      stdout: "",
      stderr: `The server at ${server.url} refused the token in API_TOKEN (revoked, expired or mistyped): set a valid one, or unset it and run \`cli login\`.\n`,
    });
  });

  it("tells a user that import and export need an admin (exit 5), and changes nothing", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const bob = await server.signUp("Bob");
    const env = { API_TOKEN: bob.token };
    const file = scratch.file("people.csv", "name,email\nAnn,ann@example.com\n");

    const imported = await runCliWith({ url: server.url, env }, "import", file);
    expect(imported.code).toBe(5);
    expect(imported.stdout).toBe("");
    expect(imported.stderr).toBe(
      'import needs an admin, and this account is not one (the server said "Only an admin may do this"). ' +
        "Sign in as an admin with `cli login`, or set API_TOKEN to an admin's token.\n",
    );
    expect(await server.count("users")).toBe(2);

    const out = join(scratch.folder, "users.jsonl");
    const exported = await runCliWith({ url: server.url, env }, "export", "--out", out);
    expect(exported.code).toBe(5);
    expect(exported.stderr).toMatch(/^export needs an admin, and this account is not one/);
    expect(existsSync(out)).toBe(false);
  });

  it("creates an item for the caller when items create has no --user", async () => {
    await using server = await startTestServer();
    const ann = await server.signUp("Ann");
    const result = await runCliWith(
      { url: server.url, env: { API_TOKEN: ann.token } },
      "items",
      "create",
      "--title",
      "Pen",
    );
    expect(result).toEqual({ code: 0, stdout: `Created item 1: "Pen" of user ${ann.user.id}\n`, stderr: "" });
    // Someone else's account answers as a missing one, and nothing is created.
    const foreign = await runCliWith(
      { url: server.url, env: { API_TOKEN: ann.token } },
      "items",
      "create",
      "--title",
      "Pen",
      "--user",
      "1",
    );
    expect(foreign).toMatchObject({ code: 3, stderr: "User 1 not found\n" });
    expect(await server.count("items")).toBe(1);
  });

  it("refuses a credentials file it did not write (exit 2), naming it", async () => {
    using scratch = scratchFolder();
    const { folder, file } = credentialsIn(scratch.folder);
    mkdirSync(folder);
    writeFileSync(file, "not json");
    const result = await runCliWith(
      { url: "http://127.0.0.1:1", env: { XDG_CONFIG_HOME: scratch.folder } },
      "whoami",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `${file} is not a credentials file this CLI wrote: delete it and run \`cli login\` again\n`,
    );
  });

  it("warns when the credentials file can be read by others, and still uses it", async () => {
    await using server = await startTestServer();
    using scratch = scratchFolder();
    const env = { XDG_CONFIG_HOME: scratch.folder };
    await login(server.url, env, testAdmin.email, testAdmin.password);
    const { file } = credentialsIn(scratch.folder);
    chmodSync(file, 0o644);
    const result = await runCliWith({ url: server.url, env }, "whoami");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `Warning: ${file} can be read by others (mode 644): run \`chmod 600 ${file}\`\n`,
    );
  });

  it("runs as the server's admin in the other suites: cli(server) sends its token in API_TOKEN", async () => {
    await using server = await startTestServer();
    const result = await cli(server, "whoami", "--json");
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 1, role: "admin" });
  });
});
