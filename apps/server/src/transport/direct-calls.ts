import type { Context } from "@app/api";
import { getTRPCErrorFromUnknown, type TRPCError } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { FastifyRequest } from "fastify";
import { callProcedure, errorShape, procedures } from "./procedures.ts";

/**
 * The fast path of the tRPC route: the common requests answered by calling their procedures
 * directly, without tRPC's Fetch `Request`/`Response` round trip, which cost about as much as
 * the query itself (docs/decisions/008-direct-calls.md). It takes a GET of queries or a POST of
 * mutations, alone or batched, from a client that does not stream, with well-formed JSON input;
 * the same middleware, validation, unit of work and output check run, and answers and errors are
 * built with tRPC's own functions. Everything else (a wrong method, an unknown path, malformed
 * input, a streamed batch, a subscription) goes to tRPC's own handler. `direct-calls.test.ts`
 * holds the two to the same answers.
 */
export type DirectCalls = {
  batch: boolean;
  calls: { path: string; type: "query" | "mutation"; input: unknown }[];
};

export type TrpcRequest = FastifyRequest<{
  Params: { path: string };
  Querystring: Record<string, unknown>;
}>;

/** The calls of a request the fast path can answer, or undefined for tRPC's handler. */
export function directCalls(request: TrpcRequest, maxBatchSize: number): DirectCalls | undefined {
  const type = request.method === "GET" ? "query" : request.method === "POST" ? "mutation" : undefined;
  if (!type || request.headers["trpc-accept"] !== undefined) return undefined;
  const query = plainQuery(request.query);
  if (!query) return undefined;
  const batch = query.batch === "1";
  const paths = request.params.path.split(",");
  if ((!batch && paths.length > 1) || paths.length > maxBatchSize) return undefined;
  if (!paths.every((path) => procedures.get(path)?.kind === type)) return undefined;
  const raw = type === "query" ? query.input : typeof request.body === "string" ? request.body : undefined;
  const input = parseJson(raw);
  // A batch's inputs come as an object keyed by index; anything else is tRPC's 400 to give.
  if (!input.ok || (batch && input.value !== undefined && !isPlainObject(input.value))) return undefined;
  return {
    batch,
    calls: paths.map((path, i) => ({ path, type, input: batch ? inputAt(input.value, i) : input.value })),
  };
}

export type DirectAnswer = { status: number; body: string };

/** Runs the calls concurrently, each its own unit of work, and answers as tRPC's handler does. */
export async function answerDirectly(
  { batch, calls }: DirectCalls,
  ctx: Context,
  onError: (error: TRPCError, path: string) => void,
): Promise<DirectAnswer> {
  // Indexed like the answers, as tRPC passes them: a hole where a call succeeded.
  const errors: TRPCError[] = [];
  const responses = await Promise.all(
    calls.map(async ({ path, type, input }, batchIndex) => {
      try {
        return { result: { data: await callProcedure({ path, type, input, ctx, batchIndex }) } };
      } catch (thrown) {
        const error = getTRPCErrorFromUnknown(thrown);
        errors[batchIndex] = error;
        onError(error, path);
        return { error: errorShape({ error, type, path, input, ctx }) };
      }
    }),
  );
  return {
    status: getHTTPStatusCode(responses, errors),
    body: JSON.stringify(batch ? responses : responses[0]),
  };
}

/**
 * The query string when it holds only what the fast path reads, each at most once: `batch` and
 * `input`. A repeated parameter (which fastify turns into an array and tRPC reads the first of),
 * or any other (`connectionParams`), is left to tRPC's handler so both read it alike.
 */
function plainQuery(query: Record<string, unknown>): { batch?: string; input?: string } | undefined {
  for (const name in query) if (name !== "batch" && name !== "input") return undefined;
  const { batch, input } = query;
  if (
    (batch !== undefined && typeof batch !== "string") ||
    (input !== undefined && typeof input !== "string")
  ) {
    return undefined;
  }
  return { ...(batch !== undefined && { batch }), ...(input !== undefined && { input }) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Input `i` of a batch: `{"0": …, "1": …}`, as tRPC's client sends it. */
function inputAt(inputs: unknown, i: number): unknown {
  return isPlainObject(inputs) ? inputs[String(i)] : undefined;
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
