import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { t } from "./init.ts";

/** How one procedure call ended, for metrics: its tRPC code ("OK" when it succeeded) and duration. */
export type CallOutcome = {
  path: string;
  type: "query" | "mutation" | "subscription";
  code: TRPC_ERROR_CODE_KEY | "OK";
  /** From the first middleware to the answer (a subscription: until its stream is set up). */
  seconds: number;
};

/** Told of every finished call (the server's metrics); absent for in-process calls. */
export type CallObserver = (outcome: CallOutcome) => void;

// A no-op until the server registers a tracer provider (OTEL_* configured): then each call of a
// batch gets its own span, child of the request's, and the SQL it runs become its children.
const tracer = trace.getTracer("@app/api");

/**
 * The first middleware of every procedure, before access checks and the unit of work, so that
 * refusals and invalid input are counted and traced like any other outcome.
 */
export const observe = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  return tracer.startActiveSpan(
    `trpc ${path}`,
    { kind: SpanKind.INTERNAL, attributes: { "rpc.system": "trpc", "rpc.method": path, "trpc.type": type } },
    async (span) => {
      let code: CallOutcome["code"] = "INTERNAL_SERVER_ERROR";
      try {
        const result = await next();
        code = result.ok ? "OK" : result.error.code;
        if (!result.ok) {
          span.setAttribute("trpc.error_code", code);
          if (code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE") {
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          }
        }
        return result;
      } finally {
        span.end();
        ctx.observeCall?.({ path, type, code, seconds: (performance.now() - started) / 1000 });
      }
    },
  );
});
