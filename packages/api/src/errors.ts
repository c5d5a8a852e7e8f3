import {
  ConflictError,
  isTransientDatabaseError,
  RecordNotFoundError,
  type StorageFault,
  storageFaultOf,
} from "@app/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

/**
 * The one place where anything thrown by a procedure becomes a tRPC error code.
 * Domain errors keep their message; invalid input gets a readable one listing each field; a
 * database that is busy or unreachable for a moment, or whose storage fails (full, read-only,
 * its file gone), is SERVICE_UNAVAILABLE (503), each with its own message; anything unexpected
 * is an INTERNAL_SERVER_ERROR whose message `publicMessage` hides outside development.
 * Every code a caller can receive is listed in docs/errors.md.
 */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof RecordNotFoundError) {
    return new TRPCError({ code: "NOT_FOUND", message: cause.message, cause });
  }
  if (cause instanceof ConflictError) {
    return new TRPCError({ code: "CONFLICT", message: cause.message, cause });
  }
  if (cause instanceof z.ZodError) {
    return new TRPCError({ code: "BAD_REQUEST", message: describeIssues(cause.issues), cause });
  }
  // Before the busy test: a file that cannot be opened is also a "connection" failure there.
  const fault = storageFaultOf(cause);
  if (fault) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: storageFaultMessages[fault], cause });
  }
  if (isTransientDatabaseError(cause)) {
    return new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "The database is busy or unreachable right now; try again shortly",
      cause,
    });
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
}

/**
 * What a caller reads when the database's storage fails: what is wrong, never where (no path, no
 * SQL). The server serves again by itself once it is put right.
 */
const storageFaultMessages: Record<StorageFault, string> = {
  "disk-full": "The database cannot write right now: its disk is full; try again later",
  "io-error":
    "The database cannot read or write right now: its storage reports an I/O error; try again later",
  "read-only": "The database cannot write right now: its storage is read-only; try again later",
  "file-missing": "The database is unavailable right now: its file is missing or was moved; try again later",
  "out-of-memory": "The database cannot answer right now: it is out of memory; try again later",
};

/**
 * Invalid input as one line a person can act on: `name: Too small…; email: Invalid email address`.
 * tRPC and REST callers read the same sentence.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
}

/**
 * The message a caller may read: an unexpected error's own message (a driver's SQL, a file path)
 * stays in the log unless `exposeErrors` (development). Both transports answer with this.
 */
export function publicMessage(error: TRPCError, exposeErrors: boolean): string {
  if (error.code === "INTERNAL_SERVER_ERROR" && !exposeErrors) return "Internal server error";
  // The JSON parser quotes the text around the mistake, which may be a password.
  if (error.cause instanceof SyntaxError) return "The input is not valid JSON";
  return error.message;
}

/** Invalid input's messages by field name, and about the input as a whole. */
export type InputErrors = { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> };

/** The messages of invalid input; null for any other error. */
export function inputErrorsOf(error: TRPCError): InputErrors | null {
  return error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
}
