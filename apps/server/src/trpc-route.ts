import { appRouter, createContext } from "@app/api";
import type { Orm } from "@app/db";
import type { TRPCError } from "@trpc/server";
import { resolveResponse } from "@trpc/server/http";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { refuseNonJsonPosts } from "./json-only.ts";
import { answerDirectly, directCalls } from "./trpc-direct.ts";

export type TrpcRouteOptions = {
  orm: Orm;
  exposeErrors: boolean;
  maxBatchSize: number;
  /** Off: every request goes through tRPC's resolver (the reference the direct path is tested against). */
  directCalls?: boolean;
};

/**
 * tRPC at /trpc/<procedure>. The common requests (queries by GET, mutations by POST, alone or
 * batched) call their procedures directly (trpc-direct.ts); the rest go through tRPC's own
 * `resolveResponse`, so the protocol, batching, errors and status codes are tRPC's. Either way
 * the answer goes out as one string: tRPC's fastify plugin streams every answer as a web stream,
 * which cost a socket write per chunk; for this API's small JSON answers, twice the requests a
 * second (docs/performance.md).
 */
export const trpcRoute: FastifyPluginAsync<TrpcRouteOptions> = async (app, options) => {
  // tRPC parses the JSON itself: hand it the raw text (within fastify's body limit).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook("onRequest", refuseNonJsonPosts);

  const onError = (request: FastifyRequest, error: TRPCError, path: string | undefined) => {
    // Unexpected failures only: the rest are the caller's mistakes, answered as such.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      request.log.error({ err: error.cause ?? error, path }, "procedure failed");
    }
  };

  app.route<{ Params: { path: string }; Querystring: { input?: string; batch?: string } }>({
    method: ["GET", "POST", "HEAD"],
    url: "/trpc/:path",
    async handler(request, reply) {
      const context = createContext({ orm: options.orm, exposeErrors: options.exposeErrors });
      const direct = options.directCalls === false ? undefined : directCalls(request, options.maxBatchSize);
      if (direct) {
        const answer = await answerDirectly(direct, context, (error, path) => onError(request, error, path));
        reply.code(answer.status).header("vary", "trpc-accept, accept"); // as the resolver answers
        return reply.type("application/json").send(answer.body);
      }
      const response = await resolveResponse({
        router: appRouter,
        req: toFetchRequest(request),
        path: request.params.path,
        error: null,
        maxBatchSize: options.maxBatchSize,
        createContext: async () => context,
        onError: ({ error, path }) => onError(request, error, path),
      });
      reply.code(response.status);
      for (const [name, value] of response.headers) reply.header(name, value);
      return reply.send(await response.text());
    },
  });
};

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
