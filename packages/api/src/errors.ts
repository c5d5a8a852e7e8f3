import { ConflictError, isTransientDatabaseError, RecordNotFoundError } from "@app/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";

/**
 * The one place where anything thrown by a procedure becomes a tRPC error code.
 * Domain errors keep their message; invalid input gets a readable one listing each field; a
 * database that is busy or unreachable for a moment is SERVICE_UNAVAILABLE (503); anything unexpected is an INTERNAL_SERVER_ERROR whose message the error formatter hides
 * outside development.
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
    return new TRPCError({ code: "BAD_REQUEST", message: describeIssues(cause), cause });
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

/** `name: Too small…; email: Invalid email address`: one line a person can act on. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
}
