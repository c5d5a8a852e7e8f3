import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { z } from "zod";

/** Where a credential came from: the environment, what `login` stored, or nowhere. */
export type CredentialSource = "API_TOKEN" | "login" | "none";

/** What `login` keeps for one server. The token is an API token (`uit_…`); `tokenId` lets `logout` revoke it. */
const storedCredential = z.object({
  token: z.string().min(1),
  tokenId: z.number().int().positive(),
  tokenName: z.string(),
  email: z.string(),
  createdAt: z.string(),
});
export type StoredCredential = z.infer<typeof storedCredential>;

const credentialsFile = z.object({ servers: z.record(z.string(), storedCredential) });
type CredentialsFile = z.infer<typeof credentialsFile>;

/** The environment variable that moves the credentials file (tests, or several profiles). */
export const credentialsFileVariable = "USERS_ITEMS_CREDENTIALS";

/** The credentials file cannot be read or written: a file to fix (exit 2), not a server problem. */
export class CredentialsFileError extends Error {
  override name = "CredentialsFileError";
}

/**
 * `$USERS_ITEMS_CREDENTIALS`, else `$XDG_CONFIG_HOME/users-items/credentials.json`, else
 * `~/.config/users-items/credentials.json` (the XDG base directory rules: a relative
 * XDG_CONFIG_HOME is ignored).
 */
export function credentialsPath(env: Record<string, string | undefined>): string {
  const override = env[credentialsFileVariable];
  if (override) return override;
  const xdg = env.XDG_CONFIG_HOME;
  const configHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".config");
  return join(configHome, "users-items", "credentials.json");
}

/**
 * The key a server's credential is stored under: origin and path, without a trailing slash or
 * `/trpc`, so `http://127.0.0.1:8000/` and `http://127.0.0.1:8000/trpc` share one login and two
 * servers never do (`localhost` and `127.0.0.1` are two names, so two logins).
 */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, "").replace(/\/trpc$/, "");
  return `${parsed.origin}${path}`;
}

/** The credential stored for `url`, if any. A file that does not exist holds none. */
export function readCredential(file: string, url: string): StoredCredential | undefined {
  return readFile(file).servers[serverKey(url)];
}

/** Stores (or replaces) the credential for `url`, leaving other servers' as they were. */
export function saveCredential(file: string, url: string, credential: StoredCredential): void {
  const store = readFile(file);
  store.servers[serverKey(url)] = credential;
  writeFile(file, store);
}

/** Forgets the credential for `url`; the file goes when it holds no other server's. */
export function deleteCredential(file: string, url: string): void {
  const store = readFile(file);
  delete store.servers[serverKey(url)];
  if (Object.keys(store.servers).length > 0) writeFile(file, store);
  else rmSync(file, { force: true });
}

function readFile(file: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return { servers: {} };
    throw new CredentialsFileError(`Cannot read ${file}: ${describe(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = credentialsFile.safeParse(json);
  if (!parsed.success) {
    throw new CredentialsFileError(
      `${file} is not a credentials file this CLI wrote: delete it and run \`cli login\` again`,
    );
  }
  return parsed.data;
}

/**
 * Writes the whole file beside itself with mode 0600 and renames it into place, so that it is
 * never readable by others, not even for a moment, and never left half written. A folder it has
 * to create gets 0700 (the XDG rule), and a `users-items` folder is set to 0700 even if it existed;
 * any other folder (one USERS_ITEMS_CREDENTIALS names, /tmp say) is not ours to change.
 */
function writeFile(file: string, store: CredentialsFile): void {
  const folder = dirname(file);
  const partial = `${file}.${process.pid}.partial`;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (basename(folder) === "users-items") chmodSync(folder, 0o700);
    rmSync(partial, { force: true });
    // The umask may take bits away from 0600 (never add any); chmod sets it exactly.
    writeFileSync(partial, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(partial, 0o600);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new CredentialsFileError(`Cannot write ${file}: ${describe(error)}`);
  }
}

/** The file's permission bits when it lets anyone but its owner read or write it (never on Windows). */
export function looseMode(file: string): number | undefined {
  if (process.platform === "win32") return undefined;
  try {
    const mode = statSync(file).mode & 0o777;
    return mode & 0o077 ? mode : undefined;
  } catch {
    return undefined;
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}

function describe(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code} (${message})` : message;
}
