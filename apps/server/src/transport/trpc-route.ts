import type { Socket } from "node:net";
import { type AuthSettings, appRouter, type CallObserver, createContext } from "@app/api";
import type { Orm } from "@app/db";
import type { TRPCError } from "@trpc/server";
import { fastifyRequestHandler } from "@trpc/server/adapters/fastify";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { allowStreamIdle } from "../http-timeouts.ts";
import { answerDirectly, directCalls, type TrpcRequest } from "./direct-calls.ts";
import { statusOf, toTransportError } from "./framework-errors.ts";
import { acceptJsonBodies } from "./json-only.ts";
import { errorShape, procedures } from "./procedures.ts";
import { requestInfo } from "./request-info.ts";
import { answerSseCall, sseCall } from "./sse-calls.ts";

export type TrpcRouteOptions = {
  orm: Orm;
  exposeErrors: boolean;
  maxBatchSize: number;
  auth: AuthSettings;
  allowedOrigins: ReadonlySet<string>;
  /** Off: every request goes to tRPC's own handler (the reference the fast path is tested against). */
  directCalls?: boolean;
  /** Told how each procedure call ended (the server's metrics). */
  observeCall?: CallObserver | undefined;
};

/** How long a stream may take to end once the server shuts down, before its socket is closed. */
const streamGraceMs = 1_000;

/** The fast path's answers are serialised already. */
const asIs = (body: unknown) => String(body);

/**
 * tRPC at /trpc/<procedure>. A request the fast paths recognise is answered there: a query or
 * mutation as one JSON string (direct-calls.ts), a subscription as server-sent events written
 * straight from its events (sse-calls.ts); every other one (streamed batches, wrong methods,
 * malformed input) goes to tRPC's own fastify handler, which streams what streams. Both build one
 * context per request; each call still forks its own unit of work.
 */
export const trpcRoute: FastifyPluginAsync<TrpcRouteOptions> = async (app, options) => {
  // tRPC parses the JSON itself: hand it the raw text (within fastify's body limit).
  app.removeAllContentTypeParsers();
  acceptJsonBodies(app, (_request, text, done) => done(null, text));

  const onError = (request: FastifyRequest, error: TRPCError, path: string | undefined) => {
    // Unexpected failures only: the rest are the caller's mistakes, answered as such.
    if (error.code === "INTERNAL_SERVER_ERROR") {
      request.log.error({ err: error.cause ?? error, path }, "procedure failed");
    }
  };

  // Refusals before any procedure runs (a body over the limit, not JSON, not UTF-8) in tRPC's error
  // shape, which tRPC's clients can read; fastify's raw body left them "Unable to transform response".
  app.setErrorHandler((thrown, request, reply) => {
    // Not an error but an answer: the rate limiter's 429 body, already shaped and with its status.
    if (!(thrown instanceof Error)) return reply.code(statusOf(thrown) ?? 500).send(thrown);
    const error = toTransportError(thrown);
    onError(request, error, undefined);
    const shape = errorShape({ error, path: undefined, type: "unknown", input: undefined, ctx: undefined });
    return reply.code(getHTTPStatusCodeFromError(error)).send({ error: shape });
  });

  // Subscriptions (server-sent events) still open at shutdown: the
  // change feed ends its subscriptions first, but a client that stopped reading cannot take the
  // last bytes, and its socket would hold the drain until the shutdown timeout (a hostile test).
  const streams = new Set<Socket>();
  app.addHook("preClose", async () => {
    const stragglers = setTimeout(() => {
      for (const socket of streams) socket.destroy();
    }, streamGraceMs);
    stragglers.unref();
  });

  app.route({
    // Every method but OPTIONS (CORS preflights): tRPC answers the others 405 in its own shape.
    method: ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH"],
    url: "/trpc/:path",
    async handler(request: TrpcRequest, reply) {
      const context = createContext({
        orm: options.orm,
        exposeErrors: options.exposeErrors,
        auth: options.auth,
        request: requestInfo(request, reply, options.allowedOrigins),
        observeCall: options.observeCall,
      });
      const direct = options.directCalls === false ? undefined : directCalls(request, options.maxBatchSize);
      if (direct) {
        const answer = await answerDirectly(direct, context, (error, path) => onError(request, error, path));
        // The headers tRPC's handler sends (`vary`: the same URL may be answered streamed or not).
        // The body is serialised already; an explicit serializer also keeps fastify from adding a
        // charset to the content type (a copy into a Buffer did that at a measurable cost).
        reply
          .code(answer.status)
          .header("vary", "trpc-accept, accept")
          .header("content-type", "application/json");
        return reply.serializer(asIs).send(answer.body);
      }
      if (procedures.get(request.params.path)?.kind === "subscription") {
        const socket = request.raw.socket;
        allowStreamIdle(socket);
        streams.add(socket);
        reply.raw.once("close", () => streams.delete(socket));
        const call = options.directCalls === false ? undefined : sseCall(request);
        if (call) {
          return answerSseCall({
            call,
            ctx: context,
            reply,
            onError: (error) => onError(request, error, call.path),
          });
        }
      }
      await fastifyRequestHandler({
        req: request,
        res: reply,
        path: request.params.path,
        router: appRouter,
        maxBatchSize: options.maxBatchSize,
        createContext: () => context,
        onError: ({ error, path }) => onError(request, error, path),
      });
      return reply;
    },
  });
};
