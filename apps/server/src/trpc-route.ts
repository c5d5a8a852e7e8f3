import { appRouter, createCaller, createContext } from "@app/api";
import type { Orm } from "@app/db";
import { resolveResponse } from "@trpc/server/http";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { refuseNonJsonPosts } from "./json-only.ts";
import { callProcedure, queryPaths } from "./rest/procedures.ts";

export type TrpcRouteOptions = { orm: Orm; exposeErrors: boolean; maxBatchSize: number };

/**
 * tRPC at /trpc/<procedure>, answered through tRPC's own `resolveResponse` (so the protocol,
 * batching, errors and status codes are tRPC's), but buffered: the answer goes out as one string.
 * tRPC's fastify plugin streams every answer as a web stream, which cost a socket write per
 * chunk; for this API's small JSON answers, twice the requests a second (docs/performance.md).
 */
export const trpcRoute: FastifyPluginAsync<TrpcRouteOptions> = async (app, options) => {
  // tRPC parses the JSON itself: hand it the raw text (within fastify's body limit).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook("onRequest", refuseNonJsonPosts);

  app.route<{ Params: { path: string }; Querystring: { input?: string; batch?: string } }>({
    method: ["GET", "POST", "HEAD"],
    url: "/trpc/:path",
    async handler(request, reply) {
      // Queries, alone or batched (`GET /trpc/users.byId?input=…`), go straight to tRPC's caller:
      // same middleware, validation, unit of work and output check, without the HTTP resolver's
      // Request/Response round trip, which cost about as much as the query itself. Anything
      // else, and any failure, is answered by tRPC's resolver: a failed batch of queries is run
      // again there, so errors keep tRPC's exact shape, status and logging.
      const answer = await answerQueries(request.params.path, request, options);
      if (answer !== undefined) {
        reply.header("vary", "trpc-accept, accept"); // as the resolver answers
        return reply.type("application/json").send(answer);
      }
      const response = await resolveResponse({
        router: appRouter,
        req: toFetchRequest(request),
        path: request.params.path,
        error: null,
        maxBatchSize: options.maxBatchSize,
        createContext: async () => createContext({ orm: options.orm, exposeErrors: options.exposeErrors }),
        onError({ error, path }) {
          // Unexpected failures only: the rest are the caller's mistakes, answered as such.
          if (error.code === "INTERNAL_SERVER_ERROR") {
            request.log.error({ err: error.cause ?? error, path }, "procedure failed");
          }
        },
      });
      reply.code(response.status);
      for (const [name, value] of response.headers) reply.header(name, value);
      return reply.send(await response.text());
    },
  });
};

const queries = queryPaths();

/** The JSON answer to a GET of queries only, or undefined when the resolver should answer. */
async function answerQueries(
  path: string,
  request: FastifyRequest<{ Querystring: { input?: string; batch?: string } }>,
  options: TrpcRouteOptions,
): Promise<string | undefined> {
  const batch = request.query.batch === "1";
  const paths = path.split(",");
  const plain = request.headers["trpc-accept"] === undefined; // not a streaming client
  if (
    request.method !== "GET" ||
    !plain ||
    (!batch && paths.length > 1) ||
    paths.length > options.maxBatchSize
  ) {
    return undefined;
  }
  if (!paths.every((p) => queries.has(p))) return undefined;
  const input = parseJson(request.query.input);
  if (!input.ok) return undefined;
  const inputs = batch ? paths.map((_, i) => inputAt(input.value, i)) : [input.value];
  const caller = createCaller(createContext({ orm: options.orm, exposeErrors: options.exposeErrors }));
  try {
    const results = await Promise.all(paths.map((p, i) => callProcedure(caller, p, inputs[i])));
    return JSON.stringify(
      batch ? results.map((data) => ({ result: { data } })) : { result: { data: results[0] } },
    );
  } catch {
    return undefined;
  }
}

/** Input `i` of a batch: `{"0": …, "1": …}`, as tRPC's client sends it. */
function inputAt(inputs: unknown, i: number): unknown {
  return typeof inputs === "object" && inputs !== null ? Reflect.get(inputs, String(i)) : undefined;
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function toFetchRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(`http://${request.host}${request.url}`, {
    method: request.method,
    headers,
    ...(hasBody && { body: typeof request.body === "string" ? request.body : "" }),
  });
}
