import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import {
  describeError,
  describeWait,
  getServerFieldErrors,
  isStaleVersion,
  isUnreachable,
  retryAfterSeconds,
  unreachableMessage,
} from "./api-errors.ts";

function answered(
  code: string,
  httpStatus: number,
  message: string,
  fieldErrors?: Record<string, string[]>,
  response?: Response,
) {
  const zodError = fieldErrors ? { formErrors: [], fieldErrors } : null;
  return TRPCClientError.from(
    { error: { message, code: -32000, data: { code, httpStatus, zodError } } },
    response ? { meta: { response } } : {},
  );
}

describe("api errors", () => {
  it("calls the API unreachable when no tRPC answer came back, or a proxy answered", () => {
    expect(isUnreachable(TRPCClientError.from(new TypeError("Failed to fetch")))).toBe(true);
    expect(isUnreachable(answered("INTERNAL_SERVER_ERROR", 502, "Bad gateway"))).toBe(true);
    expect(isUnreachable(answered("NOT_FOUND", 404, "User 3 not found"))).toBe(false);
    expect(describeError(new TypeError("Failed to fetch"))).toBe(unreachableMessage);
  });

  it("puts zod field errors and a taken email on their fields", () => {
    expect(getServerFieldErrors(answered("BAD_REQUEST", 400, "bad", { name: ["Too small"] }))).toEqual({
      name: "Too small",
    });
    const taken = answered("CONFLICT", 409, "A user with email ann@example.com already exists");
    expect(getServerFieldErrors(taken)).toEqual({
      email: "A user with email ann@example.com already exists",
    });
    expect(isStaleVersion(taken)).toBe(false);
  });

  it("recognises a stale version, which belongs to no field", () => {
    const stale = answered("CONFLICT", 409, "User 3 was changed by someone else since version 1");
    expect(isStaleVersion(stale)).toBe(true);
    expect(getServerFieldErrors(stale)).toEqual({});
  });

  it("says how long a throttled sign-in must wait: Retry-After, else the server's figure", () => {
    const message = "Too many failed sign-ins: try again in 900 seconds";
    const withHeader = answered(
      "TOO_MANY_REQUESTS",
      429,
      message,
      undefined,
      new Response(null, {
        headers: { "retry-after": "61" },
      }),
    );
    expect(retryAfterSeconds(withHeader)).toBe(61);
    expect(describeError(withHeader)).toBe("Too many failed attempts. Try again in 2 minutes.");
    const withoutHeader = answered("TOO_MANY_REQUESTS", 429, message);
    expect(describeError(withoutHeader)).toBe("Too many failed attempts. Try again in 15 minutes.");
    expect(retryAfterSeconds(answered("UNAUTHORIZED", 401, "Wrong email or password"))).toBeUndefined();
    expect([1, 45, 60, 61].map(describeWait)).toEqual(["1 second", "45 seconds", "1 minute", "2 minutes"]);
  });
});
