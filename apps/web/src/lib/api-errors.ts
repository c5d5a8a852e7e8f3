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

/**
 * How long a throttled call (429) must wait, in seconds: the answer's `Retry-After` header, else
 * the figure in the server's message ("try again in 900 seconds").
 */
export function retryAfterSeconds(error: unknown): number | undefined {
  const apiError = asApiError(error);
  if (apiError?.data?.code !== "TOO_MANY_REQUESTS") return undefined;
  const response = apiError.meta?.response;
  const header = response instanceof Response ? response.headers.get("retry-after") : null;
  const fromHeader = Number(header ?? Number.NaN);
  if (Number.isInteger(fromHeader) && fromHeader > 0) return fromHeader;
  const fromMessage = /(\d+)\s*seconds?/i.exec(apiError.message)?.[1];
  return fromMessage ? Number(fromMessage) : undefined;
}

/** "45 seconds", "1 minute", "15 minutes": a wait as a person reads it (rounded up). */
export function describeWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** A sentence to show a person for any failed call. */
export function describeError(error: unknown): string {
  if (isUnreachable(error)) return unreachableMessage;
  const code = getErrorCode(error);
  if (code === "INTERNAL_SERVER_ERROR") return "Something went wrong on the server. Try again.";
  if (code === "TOO_MANY_REQUESTS") {
    const seconds = retryAfterSeconds(error);
    return seconds === undefined
      ? "Too many failed attempts. Wait a while, then try again."
      : `Too many failed attempts. Try again in ${describeWait(seconds)}.`;
  }
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
