import { type AuthSettings, type CallObserver, type Context, createContext } from "@app/api";
import type { Orm } from "@app/db";
import { TRPCError } from "@trpc/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { acceptJsonBodies } from "../json-only.ts";
import { callProcedure } from "../procedures.ts";
import { requestInfo } from "../request-info.ts";
import { renameInputFields, toRestError } from "./errors.ts";
import { OpenStreams, openSubscription, serveEventStream } from "./event-stream.ts";
import { buildInput } from "./input.ts";
import type { RestOperation } from "./operations.ts";

export type RestPluginOptions = {
  orm: Orm;
  exposeErrors: boolean;
  auth: AuthSettings;
  allowedOrigins: ReadonlySet<string>;
  operations: readonly RestOperation[];
  /** Told how each procedure call ended (the server's metrics). */
  observeCall?: CallObserver | undefined;
};

/** The operations as fastify routes, to register under the `/api` prefix. */
export async function restPlugin(api: FastifyInstance, options: RestPluginOptions): Promise<void> {
  const { orm, exposeErrors, auth, allowedOrigins, operations, observeCall } = options;

  // fastify's own JSON parser (it refuses `__proto__` keys), on text checked to be UTF-8.
  const parseJson = api.getDefaultJsonParser("error", "error");
  api.removeContentTypeParser("application/json");
  acceptJsonBodies(api, parseJson);
  api.setErrorHandler((error, request, reply) => {
    const { status, body } = toRestError(error, { exposeErrors });
    if (status >= 500) request.log.error({ err: error }, "REST call failed");
    return reply.code(status).send(body);
  });
  // A catch-all rather than setNotFoundHandler: the web app's `/*` route would otherwise answer
  // first and hand /api paths to the root's plain-text 404. A known path asked with another
  // method is a 405 naming the methods it takes.
  const unmatched = (request: FastifyRequest, reply: FastifyReply): never => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = operations
      .filter((operation) => pathPattern(operation.path).test(path))
      .map((o) => o.method);
    if (allowed.length > 0) {
      reply.header("allow", allowed.join(", "));
      throw new TRPCError({
        code: "METHOD_NOT_SUPPORTED",
        message: `${request.method} is not allowed on ${path}: use ${allowed.join(" or ")}`,
      });
    }
    // The path alone: a query string may hold what a careless client should not have sent.
    throw new TRPCError({ code: "NOT_FOUND", message: `No route ${request.method} ${path}` });
  };
  api.all("/*", async (request, reply) => unmatched(request, reply));

  // Open event streams end, each with a last word, before the server waits for its connections.
  const streams = new OpenStreams();
  api.addHook("preClose", async () => streams.closeAll());

  for (const operation of operations) {
    const { type } = operation.schemas;
    const restNames = { ...operation.inputNames, ...operation.headerNames };
    for (const url of fastifyPaths(operation.path)) {
      api.route({
        method: operation.method,
        url,
        // A HEAD would open a stream that never ends: it is answered 405 like any other method.
        exposeHeadRoute: type !== "subscription",
        handler: async (request, reply) => {
          // `/api/users/` also matches `/users/:id` with an empty id: that is the collection's
          // path asked with another method, not a bad id.
          if (hasEmptyParameter(request.params)) return unmatched(request, reply);
          const input = buildInput(operation, request);
          // A fresh context per call: the procedure's own validation, unit of work and error mapping.
          const ctx = createContext({
            orm,
            exposeErrors,
            auth,
            request: requestInfo(request, reply, allowedOrigins),
            observeCall,
          });
          try {
            if (type === "subscription") return await openEventStream(operation, input, ctx, request, reply);
            const output = await callProcedure({
              path: operation.procedure,
              type,
              input,
              ctx,
              batchIndex: 0,
            });
            return reply.code(operation.status).send(output);
          } catch (error) {
            throw renameInputFields(error, restNames);
          }
        },
      });
    }
  }

  /**
   * A subscription as server-sent events. What it refuses before the first event (401, 400, and
   * what the route's `refusesAtOnce` foresees: 412) is thrown, answered as JSON with its status.
   */
  async function openEventStream(
    operation: RestOperation,
    input: Record<string, unknown>,
    ctx: Context,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const controller = new AbortController();
    try {
      const events = await openSubscription({
        path: operation.procedure,
        input,
        ctx,
        signal: controller.signal,
      }).catch((error: unknown) => {
        // The database away for a moment: an error event, as once the stream is open, so that an
        // EventSource reconnects by itself (a non-200 answer would end it for good).
        if (error instanceof TRPCError && error.code === "SERVICE_UNAVAILABLE") return failing(error);
        throw error;
      });
      const refuses = (await operation.refusesAtOnce?.(orm, input)) ?? false;
      const first = refuses ? await events.next() : undefined;
      return serveEventStream({
        request,
        reply,
        events,
        first,
        controller,
        open: streams,
        exposeErrors,
      });
    } catch (error) {
      controller.abort();
      throw error;
    }
  }
}

/** Events that end at once with `error`. */
function failing(error: TRPCError): AsyncIterator<unknown> {
  return { next: () => Promise.reject(error) };
}

function hasEmptyParameter(params: unknown): boolean {
  return typeof params === "object" && params !== null && Object.values(params).some((value) => value === "");
}

/** `/api/users/{id}/items/` as a pattern for a request path, the trailing slash optional. */
function pathPattern(path: string): RegExp {
  const body = path.replace(/\/$/, "").replace(/\{\w+\}/g, "[^/]+");
  return new RegExp(`^${body}/?$`);
}

/** `/api/users/{id}` as fastify paths relative to `/api`, with and without the trailing slash. */
function fastifyPaths(path: string): string[] {
  const relative = path.replace(/^\/api/, "").replace(/\{(\w+)\}/g, ":$1");
  const bare = relative.replace(/\/$/, "");
  return [bare, `${bare}/`];
}
