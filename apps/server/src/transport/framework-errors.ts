import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/** fastify's own failures (bad JSON, too large, wrong media type) carry only a status. */
const codeByStatus: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * Anything thrown while serving a request, as a tRPC error: fastify's 4xx failures (a body over
 * the limit, JSON it cannot parse) keep their status under tRPC's name for it, so tRPC and REST
 * callers read them in the same vocabulary as a procedure's errors; anything else is unexpected.
 */
export function toTransportError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const status = statusOf(error);
  if (status === undefined || status >= 500 || !(error instanceof Error)) {
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
  }
  return new TRPCError({ code: codeByStatus[status] ?? "BAD_REQUEST", message: error.message, cause: error });
}

/** The HTTP status a thrown value carries (fastify's errors, the rate limiter's answer), if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return undefined;
  return typeof error.statusCode === "number" ? error.statusCode : undefined;
}
