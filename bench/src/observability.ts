import { createServer, type Server } from "node:http";
import { formatMs, formatRate, formatRatio, markdownTable } from "./format.ts";
import type { LoadResult } from "./load.ts";

/**
 * `--observability`: the project server as `npm start` runs it (metrics on, tracing off), against
 * the same build with metrics off, and with tracing on (every request sampled, spans exported over
 * OTLP/HTTP JSON to a sink in the bench process that only reads and discards them).
 */
export type ObservabilityVariant = { label: string; env: Record<string, string> };

export function observabilityVariants(sinkUrl: string): ObservabilityVariant[] {
  return [
    { label: "metrics off", env: { METRICS: "off" } },
    {
      label: "tracing on",
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "bench",
      },
    },
    {
      label: "tracing 10%",
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "bench",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      },
    },
  ];
}

/** An OTLP/HTTP receiver that accepts every export and keeps only a count of the bytes. */
export async function startTraceSink(): Promise<{
  url: string;
  bytes(): number;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  let received = 0;
  const server: Server = createServer((request, response) => {
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => received,
    [Symbol.asyncDispose]: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type ObservabilityRow = { name: string; project: LoadResult; variants: LoadResult[] };

/** Each variant's throughput against the default (metrics on, tracing off), scenario by scenario. */
export function observabilityTable(rows: ObservabilityRow[], labels: string[]): string {
  const header = [
    "scenario",
    "default req/s",
    ...labels.flatMap((label) => [`${label} req/s`, `${label}/default`, `${label} p50 ms`]),
  ];
  return markdownTable(
    header,
    rows.map((row) => [
      row.name,
      `${formatRate(row.project.requestsPerSecond)} (p50 ${formatMs(row.project.p50Ms)})`,
      ...row.variants.flatMap((variant) => [
        formatRate(variant.requestsPerSecond),
        formatRatio(variant.requestsPerSecond / Math.max(row.project.requestsPerSecond, 1e-9)),
        formatMs(variant.p50Ms),
      ]),
    ]),
  );
}
