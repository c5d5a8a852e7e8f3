import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

const tracer = trace.getTracer("@app/server");

// Each request's context (its span's), to enter again once the body is read.
const requestContexts = new WeakMap<FastifyRequest, Context>();

/**
 * A SERVER span per HTTP request, `<METHOD> <route pattern>`, child of the caller's span when the
 * request carries a W3C `traceparent`; the rest of the request runs in its context, so each
 * procedure call's span (`@app/api`'s observe.ts) and each statement's become its children.
 * Installed only when tracing is on: with it off, requests go through no hook of this file.
 *
 * Fastify's lifecycle is entered from `onRequest` with `context.with(…, done)`: the following
 * hooks and, for a request without a body, the handler run inside it. A body is read from the
 * socket's events, which nothing promises to run in it (on Node 24 it was seen to survive a body
 * sent in pieces), so `preHandler` enters it again for the handler: one call per request.
 * Registered on the root instance before any other hook, so every route and hook sees it.
 */
export function traceRequests(app: FastifyInstance): void {
  app.addHook("onRequest", startRequestSpan);
  app.addHook("preHandler", enterRequestSpan);
}

function startRequestSpan(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const route = request.routeOptions.url;
  const span = tracer.startSpan(
    route === undefined ? request.method : `${request.method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": request.method,
        "url.path": pathOf(request.url),
        "url.scheme": request.protocol,
        ...(route !== undefined && { "http.route": route }),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  requestContexts.set(request, active);
  // "close" comes for every response, also one whose client left before it was sent (which
  // never reaches onResponse).
  reply.raw.once("close", () => endRequestSpan(span, reply));
  context.with(active, done);
}

function enterRequestSpan(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const active = requestContexts.get(request);
  if (active === undefined) done();
  else context.with(active, done);
}

function endRequestSpan(span: Span, reply: FastifyReply): void {
  const status = reply.statusCode;
  span.setAttribute("http.response.status_code", status);
  if (status >= 500) {
    span.setAttribute("error.type", String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** The path without the query: a tRPC query's input (and a REST search) holds the caller's data. */
function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
