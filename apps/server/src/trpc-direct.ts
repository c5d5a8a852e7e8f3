import { appRouter, type Context } from "@app/api";
import { getErrorShape, getTRPCErrorFromUnknown, type TRPCError } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { FastifyRequest } from "fastify";
import { callProcedure, procedureTypes } from "./rest/procedures.ts";

/**
 * The common tRPC requests answered by calling their procedures as tRPC's resolver does, without
 * the resolver's Fetch Request/Response round trip, which cost about as much as the query itself
 * (docs/performance.md): a GET of queries or a POST of mutations, alone or batched, from a
 * non-streaming client, with well-formed JSON input. The same middleware, validation, unit of
 * work and output check run; answers and errors are built with tRPC's own functions, and a test
 * (test/trpc-direct.test.ts) holds them to what the resolver answers. Anything else (a wrong
 * method, an unknown path, malformed input, a streaming client) is left to the resolver.
 */
export type DirectCalls = {
  batch: boolean;
  calls: { path: string; type: "query" | "mutation"; input: unknown }[];
};

export type TrpcRequest = FastifyRequest<{
  Params: { path: string };
  Querystring: { input?: string; batch?: string };
}>;

const types = procedureTypes();

/** The calls of a request the direct path can answer, or undefined for the resolver. */
export function directCalls(request: TrpcRequest, maxBatchSize: number): DirectCalls | undefined {
  const type = request.method === "GET" ? "query" : request.method === "POST" ? "mutation" : undefined;
  if (!type || request.headers["trpc-accept"] !== undefined) return undefined;
  const batch = request.query.batch === "1";
  const paths = request.params.path.split(",");
  if ((!batch && paths.length > 1) || paths.length > maxBatchSize) return undefined;
  if (!paths.every((path) => types.get(path) === type)) return undefined;
  const raw =
    type === "query" ? request.query.input : typeof request.body === "string" ? request.body : undefined;
  const input = parseJson(raw);
  if (!input.ok) return undefined;
  return {
    batch,
    calls: paths.map((path, i) => ({ path, type, input: batch ? inputAt(input.value, i) : input.value })),
  };
}

export type DirectAnswer = { status: number; body: string };

/** Runs the calls concurrently, each its own unit of work, and answers as tRPC's resolver does. */
export async function answerDirectly(
  { batch, calls }: DirectCalls,
  ctx: Context,
  onError: (error: TRPCError, path: string) => void,
): Promise<DirectAnswer> {
  // Indexed like the answers, as the resolver passes them: a hole where a call succeeded.
  const errors: TRPCError[] = [];
  const responses = await Promise.all(
    calls.map(async ({ path, type, input }, batchIndex) => {
      try {
        return { result: { data: await callProcedure({ path, type, input, ctx, batchIndex }) } };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        errors[batchIndex] = error;
        onError(error, path);
        return { error: getErrorShape({ config: appRouter._def._config, error, type, path, input, ctx }) };
      }
    }),
  );
  return {
    status: getHTTPStatusCode(responses, errors),
    body: JSON.stringify(batch ? responses : responses[0]),
  };
}

/** Input `i` of a batch: `{"0": …, "1": …}`, as tRPC's client sends it. */
function inputAt(inputs: unknown, i: number): unknown {
  return typeof inputs === "object" && inputs !== null ? Reflect.get(inputs, String(i)) : undefined;
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
