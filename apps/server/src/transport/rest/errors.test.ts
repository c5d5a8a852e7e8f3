import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { renameInputFields, toRestError } from "./errors.ts";

const hidden = { exposeErrors: false };

describe("toRestError", () => {
  it("hides an unexpected error's message unless errors are exposed", () => {
    const failure = new Error("SQLITE_CORRUPT: database disk image is malformed");
    expect(toRestError(failure, hidden)).toEqual({
      status: 500,
      body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" } },
    });
    expect(toRestError(failure, { exposeErrors: true }).body.error.message).toContain("SQLITE_CORRUPT");
  });

  it("keeps a tRPC error's code, status and message", () => {
    const conflict = new TRPCError({ code: "CONFLICT", message: "A user with email a@b.co exists" });
    expect(toRestError(conflict, hidden)).toEqual({
      status: 409,
      body: { error: { code: "CONFLICT", message: "A user with email a@b.co exists" } },
    });
  });

  it("turns fastify's own 4xx failures into the same body", () => {
    const tooLarge = Object.assign(new Error("Request body is too large"), { statusCode: 413 });
    expect(toRestError(tooLarge, hidden)).toEqual({
      status: 413,
      body: { error: { code: "PAYLOAD_TOO_LARGE", message: "Request body is too large" } },
    });
  });

  it("lists zod issues by field, and those about the whole input apart", () => {
    const schema = z.object({ name: z.string() }).refine(() => false, { message: "Not today" });
    const invalid = new TRPCError({ code: "BAD_REQUEST", cause: schema.safeParse({ name: 1 }).error });
    expect(toRestError(invalid, hidden).body.error.fieldErrors).toEqual({ name: [expect.any(String)] });
    const whole = new TRPCError({ code: "BAD_REQUEST", cause: schema.safeParse({ name: "a" }).error });
    expect(toRestError(whole, hidden).body.error.formErrors).toEqual(["Not today"]);
  });
});

describe("renameInputFields", () => {
  it("names a procedure's field by the path parameter that filled it", () => {
    const cause = z.object({ userId: z.number() }).safeParse({ userId: "x" }).error;
    const renamed = renameInputFields(new TRPCError({ code: "BAD_REQUEST", cause }), { id: "userId" });
    expect(toRestError(renamed, hidden).body.error).toMatchObject({
      message: expect.stringMatching(/^id: /),
      fieldErrors: { id: [expect.any(String)] },
    });
  });
});
