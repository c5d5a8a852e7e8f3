import { byIdInput, createUserInput, userOutput } from "@app/api/schemas";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { readProcedureDefinitions, rootConfig } from "./trpc-internals.ts";

// What this file checks is what tRPC keeps under `_def`: if an upgrade moves it, these fail
// before the transport does.
describe("tRPC internals the transport reads", () => {
  it("reads every procedure's kind and its input and output schemas", () => {
    const definitions = readProcedureDefinitions();
    expect(definitions.get("users.byId")).toEqual({
      kind: "query",
      input: byIdInput,
      output: userOutput,
      takesInput: true,
    });
    expect(definitions.get("users.create")).toEqual({
      kind: "mutation",
      input: createUserInput,
      output: userOutput,
      takesInput: true,
    });
    expect(definitions.get("health")).toMatchObject({ kind: "query", input: undefined, takesInput: false });
    expect(definitions.get("auth.tokens.list")).toMatchObject({ kind: "query", takesInput: false });
    expect(definitions.get("changes.onChange")?.kind).toBe("subscription");
    expect([...definitions.keys()].sort()).toEqual(
      [
        "health",
        ...["create", "list", "byId", "update", "delete"].flatMap((verb) => [
          `users.${verb}`,
          `items.${verb}`,
        ]),
        ...["signUp", "signIn", "signOut", "me", "changePassword"].map((name) => `auth.${name}`),
        ...["create", "list", "revoke"].map((verb) => `auth.tokens.${verb}`),
        "changes.list",
        "changes.onChange",
      ].sort(),
    );
  });

  it("reads the root configuration with the app's error formatter", () => {
    const config = rootConfig();
    const shape = config.errorFormatter({
      error: new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "SQLITE_FULL" }),
      shape: {
        message: "SQLITE_FULL",
        code: -32603,
        data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
      },
      type: "query",
      path: "users.byId",
      input: undefined,
      ctx: undefined,
    });
    expect(shape).toMatchObject({ message: "Internal server error", data: { zodError: null } });
  });
});
