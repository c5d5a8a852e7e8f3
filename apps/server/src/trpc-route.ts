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

  const queries = queryPaths();

  app.route<{ Params: { path: string }; Querystring: { input?: string; batch?: string } }>({
    method: ["GET", "POST", "HEAD"],
    url: "/trpc/:path",
    async handler(request, reply) {
      // The common case, one query (`GET /trpc/users.byId?input=…`), goes straight to tRPC's
      // caller: same middleware, validation, unit of work and output check, without the HTTP
      // resolver's Request/Response round trip, which cost about as much as the query itself.
      // Anything else, and any failure, is answered by tRPC's resolver (a failed query is run
      // again there, so errors keep tRPC's exact shape, status and logging).
      const { path } = request.params;
      const plain = request.headers["trpc-accept"] === undefined; // not a streaming client
      if (request.method === "GET" && plain && request.query.batch === undefined && queries.has(path)) {
        const input = parseJson(request.query.input);
        if (input.ok) {
          try {
            const caller = createCaller(
              createContext({ orm: options.orm, exposeErrors: options.exposeErrors }),
            );
            const data = await callProcedure(caller, path, input.value);
            reply.header("vary", "trpc-accept, accept"); // as the resolver answers
            return reply.type("application/json").send(JSON.stringify({ result: { data } }));
          } catch {
            // answered below, by the resolver
          }
        }
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
