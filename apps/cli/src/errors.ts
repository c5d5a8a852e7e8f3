import { isClientError } from "@app/client";
import { type CredentialSource, CredentialsFileError } from "./credentials.ts";

/**
 * Exit codes: 0 done, 1 the server failed or is unreachable, 2 a usage error, 3 the server
 * refused the call, 4 not signed in (401: no credential, a revoked or expired one, a wrong
 * password at login), 5 signed in but not allowed (403: the call needs an admin), 130 cancelled.
 */
export const exitCodes = {
  ok: 0,
  serverFailed: 1,
  usage: 2,
  rejected: 3,
  notSignedIn: 4,
  forbidden: 5,
  cancelled: 130,
} as const;

/** The command line itself is wrong: an unknown command or option, a missing or malformed value. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The person cancelled a prompt (Ctrl-C, or Ctrl-D on an empty line): 130, as a SIGINT would. */
export class Cancelled extends Error {
  override name = "Cancelled";

  constructor() {
    super("Cancelled");
  }
}

/** `login` was refused its email and password (the server's one answer for both, said once). */
export class SignInRefused extends Error {
  override name = "SignInRefused";
}

/** A file the command was told to write could not be written: a path to fix, not a server to start. */
export class FileError extends Error {
  override name = "FileError";

  constructor(path: string, cause: Error) {
    const code = "code" in cause && typeof cause.code === "string" ? ` (${cause.code})` : "";
    super(`Cannot write ${path}${code}: ${describeFileProblem(cause)}`, { cause });
  }
}

function describeFileProblem(cause: Error): string {
  const code = "code" in cause ? cause.code : undefined;
  if (code === "ENOENT") return "its folder does not exist";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR" || code === "ENOTDIR" || code === "ENOTEMPTY") return "a folder is in the way";
  if (code === "ENOSPC") return "the disk is full";
  return cause.message;
}

/** Codes a server answers when the request, not the server, is at fault: the row or call is refused. */
const refusedCodes = new Set(["BAD_REQUEST", "NOT_FOUND", "CONFLICT"]);

/** True when the server refused this one call (bad input, missing record, taken email), not failed. */
export function isRefusal(error: unknown): boolean {
  return isClientError(error) && refusedCodes.has(error.data?.code ?? "");
}

/** What a failure is described against: the server, the command, and where its credential came from. */
export type FailureContext = { url: string; command?: string; credential: CredentialSource };

/** Anything thrown, as one line a person can act on and the exit code it deserves. */
export function describeFailure(
  error: unknown,
  { url, command, credential }: FailureContext,
): { message: string; exitCode: number } {
  if (error instanceof UsageError) {
    return { message: `${error.message}\nRun with --help for usage.`, exitCode: exitCodes.usage };
  }
  if (error instanceof FileError || error instanceof CredentialsFileError) {
    return { message: error.message, exitCode: exitCodes.usage };
  }
  if (error instanceof Cancelled) return { message: error.message, exitCode: exitCodes.cancelled };
  if (error instanceof SignInRefused) return { message: error.message, exitCode: exitCodes.notSignedIn };
  if (isClientError(error) && error.data?.code === "UNAUTHORIZED") {
    return { message: describeUnauthorized(url, credential), exitCode: exitCodes.notSignedIn };
  }
  if (isClientError(error) && error.data?.code === "FORBIDDEN") {
    const what = command ?? "This command";
    return {
      message: `${what} needs an admin, and this account is not one (the server said "${error.message}"). Sign in as an admin with \`cli login\`, or set API_TOKEN to an admin's token.`,
      exitCode: exitCodes.forbidden,
    };
  }
  if (isClientError(error) && error.data?.code === "TOO_MANY_REQUESTS") {
    return { message: error.message, exitCode: exitCodes.rejected };
  }
  if (isRefusal(error) && error instanceof Error) {
    return { message: error.message, exitCode: exitCodes.rejected };
  }
  const network = findNetworkCode(error);
  if (network) {
    return {
      message: `Cannot reach the server at ${url} (${network}). Start it with \`npm start\`, or point --url or API_URL at it.`,
      exitCode: exitCodes.serverFailed,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isClientError(error)) {
    return { message: `The server at ${url} failed: ${message}`, exitCode: exitCodes.serverFailed };
  }
  return { message, exitCode: exitCodes.serverFailed };
}

/** A 401, said in terms of the credential the CLI sent (or did not). */
function describeUnauthorized(url: string, credential: CredentialSource): string {
  if (credential === "API_TOKEN") {
    return `The server at ${url} refused the token in API_TOKEN (revoked, expired or mistyped): set a valid one, or unset it and run \`cli login\`.`;
  }
  if (credential === "login") {
    return `Your login to ${url} is no longer valid (its token was revoked or has expired): run \`cli login\` again, or set API_TOKEN.`;
  }
  return `Not signed in to ${url}: run \`cli login\`, or set API_TOKEN to a token.`;
}

/**
 * The system error code (ECONNREFUSED, ENOTFOUND…) somewhere in a fetch failure's cause chain.
 * Duck-typed: undici's errors are not always instances of this realm's Error.
 */
export function findNetworkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  if ("code" in error && typeof error.code === "string" && /^E[A-Z]+$/.test(error.code)) return error.code;
  if ("errors" in error && Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = findNetworkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return "cause" in error ? findNetworkCode(error.cause, depth + 1) : undefined;
}
