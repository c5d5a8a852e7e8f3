import { type AppRouter, appRouter } from "@app/api";
import { z } from "zod";

/**
 * The only file that reads tRPC's internals: what the router says about its procedures (kind,
 * input and output schemas) and its root configuration (the error formatter), which tRPC keeps
 * under `_def` and exports no function for. Everything else in the transport goes through
 * tRPC's public exports. `trpc-internals.test.ts` fails if an upgrade moves any of this.
 */

export type ProcedureKind = "query" | "mutation" | "subscription";

export type ProcedureDefinition = {
  kind: ProcedureKind;
  /** The zod schema of `.input()`, if it has exactly one. */
  input: z.ZodType | undefined;
  /** Whether it declares any `.input()` at all. */
  takesInput: boolean;
  /** The zod schema of `.output()`, if it has one. */
  output: z.ZodType | undefined;
};

// Parsed, not cast: a shape tRPC no longer has fails loudly at start-up instead of misbehaving.
const procedureDef = z.object({
  type: z.enum(["query", "mutation", "subscription"]),
  inputs: z.array(z.unknown()),
  output: z.unknown().optional(),
});

/** Every procedure by path (`users.byId`, …), read once from the router's definition. */
export function readProcedureDefinitions(): Map<string, ProcedureDefinition> {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  const definitions = new Map<string, ProcedureDefinition>();
  for (const [path, procedure] of Object.entries(procedures)) {
    // A procedure is a function carrying its definition in `_def`.
    const def = procedureDef.parse(
      typeof procedure === "function" ? Reflect.get(procedure, "_def") : undefined,
    );
    const [input] = def.inputs;
    definitions.set(path, {
      kind: def.type,
      input: def.inputs.length === 1 && input instanceof z.ZodType ? input : undefined,
      takesInput: def.inputs.length > 0,
      output: def.output instanceof z.ZodType ? def.output : undefined,
    });
  }
  return definitions;
}

/** The root configuration `initTRPC.create()` built: what `getTRPCErrorShape` needs. */
export function rootConfig(): AppRouter["_def"]["_config"] {
  return appRouter._def._config;
}
