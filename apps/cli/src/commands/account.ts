import { hostname } from "node:os";
import { createClient, isClientError, type RouterOutputs } from "@app/client";
import { expectNoMore } from "../args.ts";
import { defineCommand } from "../command.ts";
import type { Context } from "../context.ts";
import { deleteCredential, readCredential, type StoredCredential, saveCredential } from "../credentials.ts";
import { exitCodes, findNetworkCode, SignInRefused, UsageError } from "../errors.ts";
import { formatJson, printRecord } from "../output.ts";
import { askOnTerminal, readAllOf } from "../prompt.ts";

type User = RouterOutputs["auth"]["me"];

function describeAccount(user: User): string {
  return `${user.name} <${user.email}> (${user.role}, user ${user.id})`;
}

/** What the token is called in `auth.tokens.list`: which machine holds it (at most 100 characters). */
export function tokenName(): string {
  return `cli on ${hostname() || "an unnamed host"}`.slice(0, 100);
}

export const loginCommand = defineCommand({
  words: "login",
  usage: "login [--email EMAIL] [--password-stdin]",
  summary:
    "Sign in, and keep an API token for this server in your config folder (the password is asked without echo)",
  options: { email: { type: "string" }, "password-stdin": { type: "boolean", default: false } },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 1);
    const { io, url } = context;
    const email = values.email ?? (await askEmail(context, values["password-stdin"]));
    const password = values["password-stdin"]
      ? await readAllOf(io.stdin, "--password-stdin")
      : await askOnTerminal(io.stdin, io.stderr, "Password: ", { hidden: true });

    const session = await createClient({ url })
      .auth.signIn.mutate({ email, password })
      .catch((error: unknown) => {
        // The server's one answer for a wrong password and an unknown email, said as it said it.
        if (isClientError(error) && error.data?.code === "UNAUTHORIZED")
          throw new SignInRefused(error.message);
        throw error;
      });
    // A long-lived API token rather than the session itself: docs/cli.md says why. The session
    // served only to create it, and is ended at once rather than left in the database to expire.
    const signedIn = createClient({ url, token: session.token });
    const created = await signedIn.auth.tokens.create
      .mutate({ name: tokenName() })
      .finally(() => signedIn.auth.signOut.mutate().catch(() => undefined));

    const credential = {
      token: created.token,
      tokenId: created.id,
      tokenName: created.name,
      email: session.user.email,
      createdAt: created.createdAt,
    };
    const previous = readCredential(context.credentials.file, url);
    try {
      saveCredential(context.credentials.file, url, credential);
    } catch (error) {
      // A token nobody holds is a risk for nothing.
      await revoke(url, credential).catch(() => undefined);
      throw error;
    }
    // Logging in again replaces the token: the one it replaces would otherwise stay valid, unseen.
    if (previous) await revoke(url, previous).catch(() => undefined);

    if (context.json) {
      io.stdout.write(
        formatJson({
          url,
          user: session.user,
          token: { id: created.id, name: created.name, expiresAt: created.expiresAt },
          credentialsFile: context.credentials.file,
        }),
      );
    } else {
      io.stdout.write(
        `Signed in to ${url} as ${describeAccount(session.user)}.\n` +
          `Token "${created.name}" stored in ${context.credentials.file}.\n`,
      );
    }
    if (context.credentials.source === "API_TOKEN") {
      io.stderr.write("API_TOKEN is set: it is sent instead of this login until you unset it.\n");
    }
    return exitCodes.ok;
  },
});

async function askEmail(context: Context, passwordOnStdin: boolean): Promise<string> {
  const { stdin, stderr } = context.io;
  if (passwordOnStdin) throw new UsageError("Give --email with --password-stdin");
  if (stdin.isTTY !== true) {
    throw new UsageError(
      "stdin is not a terminal, so the password cannot be asked: pass --email and pipe the password with --password-stdin",
    );
  }
  return askOnTerminal(stdin, stderr, "Email: ", { hidden: false });
}

/** Revokes a stored API token with itself. */
async function revoke(url: string, credential: StoredCredential): Promise<void> {
  await createClient({ url, token: credential.token }).auth.tokens.revoke.mutate({ id: credential.tokenId });
}

/** What became of the stored token on the server. */
type Revocation = "revoked" | "already invalid" | "not reached" | "failed";

export const logoutCommand = defineCommand({
  words: "logout",
  usage: "logout",
  summary: "Revoke the token login stored for this server, and delete it here (even if the server is down)",
  options: {},
  async run(context, { positionals }) {
    expectNoMore(positionals, 1);
    const { io, url } = context;
    const { file, source } = context.credentials;
    const stored = readCredential(file, url);
    const envNote =
      source === "API_TOKEN" ? "API_TOKEN is still set: logout does not touch it; unset it yourself.\n" : "";
    if (!stored) {
      if (context.json) io.stdout.write(formatJson({ url, loggedOut: false }));
      else io.stdout.write(`Not logged in to ${url}: nothing to do.\n`);
      io.stderr.write(envNote);
      return exitCodes.ok;
    }

    let server: Revocation = "revoked";
    let problem = "";
    try {
      await revoke(url, stored);
    } catch (error) {
      const network = findNetworkCode(error);
      if (isClientError(error) && error.data?.code === "UNAUTHORIZED") server = "already invalid";
      else if (network) {
        server = "not reached";
        problem = `Cannot reach the server at ${url} (${network}).`;
      } else {
        server = "failed";
        problem = `The server at ${url} failed: ${error instanceof Error ? error.message : String(error)}.`;
      }
    }
    deleteCredential(file, url);

    if (context.json) io.stdout.write(formatJson({ url, loggedOut: true, email: stored.email, server }));
    else io.stdout.write(`Logged out of ${url} (${stored.email}): ${describeRevocation(server)}.\n`);
    if (server === "not reached" || server === "failed") {
      io.stderr.write(
        `${problem} The token "${stored.tokenName}" (id ${stored.tokenId}) may still be valid there: ` +
          "revoke it from another session (auth.tokens.revoke) once the server is back.\n",
      );
    }
    io.stderr.write(envNote);
    return exitCodes.ok;
  },
});

function describeRevocation(server: Revocation): string {
  switch (server) {
    case "revoked":
      return "the token is revoked on the server and deleted here";
    case "already invalid":
      return "the token was already revoked or expired on the server; deleted here";
    case "not reached":
      return "the server could not be reached; the token is deleted here only";
    case "failed":
      return "the server failed to revoke the token; it is deleted here only";
  }
}

export const whoamiCommand = defineCommand({
  words: "whoami",
  usage: "whoami",
  summary: "Show the account the CLI is signed in as (name, email, role)",
  options: {},
  async run(context, { positionals }) {
    expectNoMore(positionals, 1);
    const user = await context.client.auth.me.query();
    const how =
      context.credentials.source === "API_TOKEN" ? "the token in API_TOKEN" : "the token login stored";
    return printRecord(
      context,
      user,
      (record) => `${describeAccount(record)}\nsigned in to ${context.url} with ${how}`,
    );
  },
});
