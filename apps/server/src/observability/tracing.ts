import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  propagation,
  ROOT_CONTEXT,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { FastifyBaseLogger } from "fastify";
import type { TracingConfig } from "./tracing-config.ts";

/** The process's tracer provider, registered with OpenTelemetry's API until shut down. */
export type Tracing = {
  /** Exports the spans still queued (for at most `flushTimeoutMs`), then unregisters everything. */
  shutdown(): Promise<void>;
};

/**
 * Longest the last export may hold a shutdown: the server must stop within its own 10 s even when
 * the collector is unreachable (the exporter itself would wait out its timeout, 10 s by default).
 */
const flushTimeoutMs = 3_000;

/**
 * Registers a tracer provider (batching spans to the configured exporters), the AsyncLocalStorage
 * context manager and the W3C trace-context propagator, so that the request hooks
 * (request-spans.ts), every procedure (`@app/api`'s observe.ts) and every SQL statement
 * (`@app/db`'s statement-spans.ts) record spans. Loaded only when tracing is configured.
 * OpenTelemetry's own warnings (an export that failed) go to `log`.
 */
export async function startTracing(config: TracingConfig, log: FastifyBaseLogger): Promise<Tracing> {
  const exporters = await Promise.all(config.exporters.map((name) => exporterFor(name, config.otlp)));
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ ...config.resourceAttributes, "service.name": config.serviceName }),
    ),
    sampler: samplerFor(config),
    spanProcessors: exporters.map((exporter) => new BatchSpanProcessor({ exporter, ...config.batch })),
  });
  diag.setLogger(diagLogger(log), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const registered =
    trace.setGlobalTracerProvider(provider) &&
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()) &&
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!registered) {
    log.warn(
      "another OpenTelemetry SDK is registered in this process: its tracer provider records the spans",
    );
  }
  return {
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), flushTimeoutMs);
      });
      try {
        const outcome = await Promise.race([provider.shutdown(), late]);
        if (outcome === "late")
          log.warn(`spans still unexported after ${flushTimeoutMs} ms at shutdown: dropped`);
      } catch (error) {
        log.warn({ err: error }, "spans could not be exported at shutdown");
      } finally {
        clearTimeout(timer);
        if (registered) {
          trace.disable();
          context.disable();
          propagation.disable();
        }
        diag.disable();
      }
    },
  };
}

async function exporterFor(name: "otlp" | "console", otlp: TracingConfig["otlp"]): Promise<SpanExporter> {
  if (name === "console") return new ConsoleSpanExporter();
  const options = {
    url: otlp.url,
    timeoutMillis: otlp.timeoutMs,
    ...(Object.keys(otlp.headers).length > 0 && { headers: otlp.headers }),
  };
  // Each exporter only when chosen: the protobuf one brings its serialiser along.
  if (otlp.protocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter(options);
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter(options);
}

function samplerFor({ sampler, samplerRatio }: TracingConfig): Sampler {
  switch (sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(samplerRatio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}

/**
 * OpenTelemetry's diagnostics as the server's log lines, outside any trace: an export runs in the
 * context of whichever request's span ended first, and its failure is none of that request's.
 */
function diagLogger(log: FastifyBaseLogger): DiagLogger {
  const write =
    (level: "error" | "warn" | "info" | "debug" | "trace") =>
    (message: string, ...args: unknown[]) => {
      const err = args.find((arg) => arg instanceof Error);
      context.with(ROOT_CONTEXT, () => log[level](err ? { err } : {}, `OpenTelemetry: ${message}`));
    };
  return {
    error: write("error"),
    warn: write("warn"),
    info: write("info"),
    debug: write("debug"),
    verbose: write("trace"),
  };
}
