import type { AppRouter } from "@app/client";
import { TRPCClientError } from "@trpc/client";

export type ApiError = TRPCClientError<AppRouter>;

export const unreachableMessage = "Can't reach the API. Check that the server is running, then try again.";

function asApiError(error: unknown): ApiError | undefined {
  return error instanceof TRPCClientError ? (error as ApiError) : undefined;
}

/** The tRPC code the server answered with (`CONFLICT`, `NOT_FOUND`…), or undefined if none did. */
export function getErrorCode(error: unknown): string | undefined {
  return asApiError(error)?.data?.code;
}

/** No tRPC answer at all: the network failed, or a proxy in front of the API answered instead. */
export function isUnreachable(error: unknown): boolean {
  const data = asApiError(error)?.data;
  return !data || [502, 503, 504].includes(data.httpStatus);
}

/** A sentence to show a person for any failed call. */
export function describeError(error: unknown): string {
  if (isUnreachable(error)) return unreachableMessage;
  if (getErrorCode(error) === "INTERNAL_SERVER_ERROR")
    return "Something went wrong on the server. Try again.";
  return asApiError(error)?.message ?? "Something went wrong. Try again.";
}

/** The server's stale-version CONFLICT: someone else saved the user since we loaded it. */
export function isStaleVersion(error: unknown): boolean {
  return (
    getErrorCode(error) === "CONFLICT" && /changed by someone else/i.test(asApiError(error)?.message ?? "")
  );
}

/**
 * Server errors that belong beside a field: zod's field errors for BAD_REQUEST, and a taken email
 * (a CONFLICT naming the email) on the email field. Empty when the error concerns no field.
 */
export function getServerFieldErrors(error: unknown): Record<string, string> {
  const apiError = asApiError(error);
  if (!apiError?.data) return {};
  const errors: Record<string, string> = {};
  for (const [field, messages] of Object.entries(apiError.data.zodError?.fieldErrors ?? {})) {
    const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
    if (typeof first === "string") errors[field] = first;
  }
  if (apiError.data.code === "CONFLICT" && /email .* already exists/i.test(apiError.message)) {
    errors.email = apiError.message;
  }
  return errors;
}
