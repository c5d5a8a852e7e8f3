import { type AppRouter, appRouter, type Context } from "@app/api";
import type { inferRouterInputs } from "@trpc/server";
import { callTRPCProcedure } from "@trpc/server";
import { z } from "zod";

type Inputs = inferRouterInputs<AppRouter>;
type ResourcePaths<T> = { [R in keyof T & string]: `${R}.${keyof T[R] & string}` }[keyof T & string];

/** `users.create`, `items.list`, …: a typo in the route table fails the typecheck. */
export type ProcedurePath = ResourcePaths<Pick<Inputs, "users" | "items">>;

export type ProcedureSchemas = {
  type: "query" | "mutation";
  input: z.ZodType;
  output: z.ZodType;
};

// What the REST surface needs from a procedure's definition; parsing it (rather than casting)
// turns a procedure without `.input()` or `.output()` into a start-up error naming it.
const procedureDef = z.object({
  type: z.enum(["query", "mutation"]),
  inputs: z.tuple([z.instanceof(z.ZodType)]),
  output: z.instanceof(z.ZodType),
});

/** Every procedure's path and type: `users.byId` → "query", `users.create` → "mutation", … */
export function procedureTypes(): Map<string, "query" | "mutation"> {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  const typeOf = z.object({ type: z.enum(["query", "mutation"]) });
  const types = new Map<string, "query" | "mutation">();
  for (const [path, procedure] of Object.entries(procedures)) {
    const def = typeOf.safeParse(
      typeof procedure === "function" ? Reflect.get(procedure, "_def") : undefined,
    );
    if (def.success) types.set(path, def.data.type);
  }
  return types;
}

/** The input and output schemas a procedure declares: the REST surface's single source of truth. */
export function getProcedureSchemas(path: ProcedurePath): ProcedureSchemas {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  const procedure = procedures[path];
  // A procedure is a function carrying its definition in `_def`.
  const parsed = procedureDef.safeParse(
    typeof procedure === "function" ? Reflect.get(procedure, "_def") : undefined,
  );
  if (!parsed.success) {
    throw new Error(
      `REST route for "${path}": the procedure needs exactly one zod .input() and an .output()`,
    );
  }
  const { type, inputs, output } = parsed.data;
  return { type, input: inputs[0], output };
}

export type ProcedureCall = {
  path: string;
  type: "query" | "mutation";
  input: unknown;
  ctx: Context;
  /** The call's place in its HTTP batch (0 when alone). */
  batchIndex: number;
};

/**
 * Calls a procedure as tRPC's HTTP resolver does (tRPC's `callProcedure`): its middleware,
 * validation, unit of work and output check. Throws what the procedure throws.
 */
export async function callProcedure({ path, type, input, ctx, batchIndex }: ProcedureCall): Promise<unknown> {
  const output: unknown = await callTRPCProcedure({
    router: appRouter,
    path,
    type,
    ctx,
    getRawInput: async () => input,
    batchIndex,
    signal: undefined,
  });
  return output;
}
