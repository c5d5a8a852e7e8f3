import { isSpanContextValid, trace } from "@opentelemetry/api";

export type TraceIds = { trace_id?: string; span_id?: string; trace_flags?: string };

/**
 * pino's `mixin` when tracing is on: every log line written while a span is active carries its
 * `trace_id` and `span_id` (and `trace_flags`, "01" when the trace is recorded), so that a trace
 * leads to its log lines and back. The span is the innermost active one: a statement's, a
 * procedure's, or the request's, which is still active when fastify writes the "request
 * completed" line (tracing.test.ts checks that line for every kind of request). Called for every
 * line: one context lookup when no span is active.
 */
export function logTraceIds(): TraceIds {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ids = span.spanContext();
  if (!isSpanContextValid(ids)) return {};
  return {
    trace_id: ids.traceId,
    span_id: ids.spanId,
    trace_flags: ids.traceFlags.toString(16).padStart(2, "0"),
  };
}
