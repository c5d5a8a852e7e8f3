import { parseArgs } from "node:util";
import { createClient, isTraceparent } from "@app/client";
import { globalOptions } from "./args.ts";
import type { Command } from "./command.ts";
import { loginCommand, logoutCommand, whoamiCommand } from "./commands/account.ts";
import { exportCommand } from "./commands/export.ts";
import { formatHelp } from "./commands/help.ts";
import { historyCommand } from "./commands/history.ts";
import { importCommand } from "./commands/import.ts";
import { itemsCreate, itemsDelete, itemsGet, itemsList, itemsUpdate } from "./commands/items.ts";
import { usersCreate, usersDelete, usersGet, usersList, usersUpdate } from "./commands/users.ts";
import { watchCommand } from "./commands/watch.ts";
import type { Io } from "./context.ts";
import { type CredentialSource, credentialsPath, looseMode, readCredential } from "./credentials.ts";
import { describeFailure, exitCodes, UsageError } from "./errors.ts";
import { formatJson } from "./output.ts";

export type { Io } from "./context.ts";

export const commands: ReadonlyArray<Command> = [
  loginCommand,
  logoutCommand,
  whoamiCommand,
  usersList,
  usersGet,
  usersCreate,
  usersUpdate,
  usersDelete,
  itemsList,
  itemsGet,
  itemsCreate,
  itemsUpdate,
  itemsDelete,
  importCommand,
  exportCommand,
  historyCommand,
  watchCommand,
];

export const defaultUrl = "http://127.0.0.1:8000";

/**
 * The server's own address when API_URL is not set: the HOST and PORT the server reads too (from
 * the environment or `.env`), so `PORT=8123` in `.env` moves both. A server listening on every
 * interface is reached on the loopback one.
 */
export function localServerUrl(env: Io["env"]): string {
  if (!env.HOST && !env.PORT) return defaultUrl;
  const host = !env.HOST || env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT || "8000"}`;
}

/** Runs one command line and resolves with the process exit code; never throws. */
export async function runCli(args: string[], io: Io): Promise<number> {
  const { values, positionals } = scanArgs(args);
  const url = typeof values.url === "string" ? values.url : io.env.API_URL || localServerUrl(io.env);
  const words = positionals.filter((word) => word !== "help");
  const command = commands.find((candidate) => candidate.words.every((word, index) => words[index] === word));
  let credential: CredentialSource = "none";
  try {
    if (values.help || positionals[0] === "help" || args.length === 0) {
      io.stdout.write(formatHelp(commands, words));
      return exitCodes.ok;
    }
    if (!command) throw new UsageError(describeUnknown(words));
    checkUrl(url);
    const file = credentialsPath(io.env);
    const { token, source } = pickCredential(io, file, url);
    credential = source;
    const client = createClient({ url, token, traceparent: traceparentOf(io.env) });
    const context = { client, url, json: values.json === true, io, credentials: { source, file } };
    return await command.run(context, args);
  } catch (error) {
    const { message, exitCode } = describeFailure(error, {
      url,
      command: command?.words.join(" "),
      credential,
    });
    io.stderr.write(`${message}\n`);
    if (values.json === true)
      io.stdout.write(formatJson({ error: { message: message.split("\n")[0], exitCode } }));
    return exitCode;
  }
}

/**
 * The token every call sends: API_TOKEN when set (a script's or CI's own, whatever `login`
 * stored), else the one `login` stored for this server, else none.
 */
function pickCredential(io: Io, file: string, url: string): { token?: string; source: CredentialSource } {
  const fromEnv = io.env.API_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: "API_TOKEN" };
  const stored = readCredential(file, url);
  if (!stored) return { source: "none" };
  const mode = looseMode(file);
  if (mode !== undefined) {
    io.stderr.write(
      `Warning: ${file} can be read by others (mode ${mode.toString(8)}): run \`chmod 600 ${file}\`\n`,
    );
  }
  return { token: stored.token, source: "login" };
}

/**
 * A first, lenient look at the arguments: the global options and the command words. It must know
 * every option that takes a value, or `--name Ann` would make "Ann" read as a command word.
 */
function scanArgs(args: string[]) {
  const valueOptions = Object.fromEntries(
    commands.flatMap((command) => command.valueOptions).map((name) => [name, { type: "string" } as const]),
  );
  return parseArgs({
    args,
    options: { ...valueOptions, ...globalOptions },
    strict: false,
    allowPositionals: true,
  });
}

function describeUnknown(words: ReadonlyArray<string>): string {
  if (words.length === 0) return "Missing command";
  const group = commands.filter((command) => command.words[0] === words[0]);
  if (group.length > 0 && group[0]?.words.length === 2) {
    const verbs = group.map((command) => command.words[1]).join("|");
    return words[1] === undefined
      ? `Missing ${words[0]} command: ${words[0]} ${verbs}`
      : `Unknown command "${words.slice(0, 2).join(" ")}": ${words[0]} ${verbs}`;
  }
  return `Unknown command "${words[0]}"`;
}

/**
 * TRACEPARENT, the W3C trace context that otel-cli and CI tools export for the commands they run:
 * sent with every call, so that the server's spans join the caller's trace.
 */
function traceparentOf(env: Io["env"]): string | undefined {
  const traceparent = env.TRACEPARENT?.trim() || undefined;
  if (traceparent !== undefined && !isTraceparent(traceparent)) {
    throw new UsageError(
      `TRACEPARENT "${traceparent}" is not a W3C traceparent: expected 00-<32 hex>-<16 hex>-<2 hex>`,
    );
  }
  return traceparent;
}

function checkUrl(url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    throw new UsageError(`The server URL must be http:// or https://, got "${url}"`);
  }
}
