import { appRouter, type Context } from "@app/api";
import { callTRPCProcedure, getTRPCErrorShape, type TRPCError } from "@trpc/server";
import { type ProcedureDefinition, readProcedureDefinitions, rootConfig } from "./trpc-internals.ts";

/** Every procedure's kind and schemas, read once at start-up. */
export const procedures: ReadonlyMap<string, ProcedureDefinition> = readProcedureDefinitions();

export type ProcedureCall = {
  path: string;
  type: "query" | "mutation" | "subscription";
  input: unknown;
  ctx: Context;
  /** The call's place in its HTTP batch (0 when alone). */
  batchIndex: number;
  /** A subscription's: aborted when its client goes away, which ends its events. */
  signal?: AbortSignal | undefined;
};

/**
 * Calls a procedure as tRPC's HTTP resolver does, with tRPC's public `callTRPCProcedure`: its
 * middleware (the unit of work), input validation, handler and output check. Throws what the
 * procedure throws (a TRPCError: the unit-of-work middleware maps every failure). A subscription
 * returns its events (an async iterable) without running them.
 */
export async function callProcedure({
  path,
  type,
  input,
  ctx,
  batchIndex,
  signal,
}: ProcedureCall): Promise<unknown> {
  const output: unknown = await callTRPCProcedure({
    router: appRouter,
    path,
    type,
    ctx,
    getRawInput: async () => input,
    batchIndex,
    signal,
  });
  return output;
}

export type ErrorShapeOptions = {
  error: TRPCError;
  path: string | undefined;
  type: "query" | "mutation" | "subscription" | "unknown";
  input: unknown;
  ctx: Context | undefined;
};

/** A failed call as tRPC answers it (`{ message, code, data }`), through the app's error formatter. */
export function errorShape(options: ErrorShapeOptions) {
  return getTRPCErrorShape({ config: rootConfig(), ...options });
}
