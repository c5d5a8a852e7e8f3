import { z } from "zod";

/**
 * The OpenTelemetry settings: tracing is off unless an OTLP endpoint or OTEL_TRACES_EXPORTER is
 * set, and OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off whatever else says.
 * Read with the rest of the configuration (config.ts) from the standard `OTEL_*` variables, which
 * the trace SDK (3.x) no longer reads itself; once, at start-up, and a bad value stops the server.
 */
export type TracingConfig = {
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded; `service.name` is `serviceName`'s. */
  resourceAttributes: Record<string, string>;
  sampler: Sampler;
  /** The fraction of new traces recorded by the ratio samplers (1 for the others). */
  samplerRatio: number;
  exporters: readonly ("otlp" | "console")[];
  otlp: {
    /** The traces endpoint itself, e.g. `http://collector:4318/v1/traces`. */
    url: string;
    protocol: "http/protobuf" | "http/json";
    headers: Record<string, string>;
    timeoutMs: number;
  };
  /** The batch span processor's settings (OTEL_BSP_*). */
  batch: {
    scheduledDelayMillis: number;
    exportTimeoutMillis: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
};

export const samplers = [
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
  "always_on",
  "always_off",
  "traceidratio",
] as const;
export type Sampler = (typeof samplers)[number];

/** Every variable read here, as README's tracing table lists them (config.test.ts holds the two together). */
export const tracingVariables = [
  "OTEL_SDK_DISABLED",
  "OTEL_TRACES_EXPORTER",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
  "OTEL_EXPORTER_OTLP_TIMEOUT",
  "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
  "OTEL_BSP_SCHEDULE_DELAY",
  "OTEL_BSP_EXPORT_TIMEOUT",
  "OTEL_BSP_MAX_QUEUE_SIZE",
  "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
] as const;
type Variable = (typeof tracingVariables)[number];

export const defaultServiceName = "users-items-server";

type Env = Partial<Record<Variable, string>>;

/**
 * `OTEL_*` variables to a TracingConfig, or undefined when tracing is off. A schema over the
 * whole environment, so that config.ts reports its problems with everyone else's.
 */
export const tracingConfigSchema = z
  .object(Object.fromEntries(tracingVariables.map((name) => [name, z.string().optional()])))
  .transform((env: Env, ctx): TracingConfig | undefined => {
    const problem = (variable: Variable, message: string) => {
      ctx.addIssue({ code: "custom", path: [variable], message });
    };
    const tracing = readTracingConfig(env, problem);
    return ctx.issues.length > 0 ? z.NEVER : tracing;
  });

function readTracingConfig(
  env: Env,
  problem: (variable: Variable, message: string) => void,
): TracingConfig | undefined {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled !== undefined && disabled !== "true" && disabled !== "false") {
    problem("OTEL_SDK_DISABLED", "expected true or false");
  }
  if (disabled === "true") return undefined;
  const exporters = readExporters(env, problem);
  if (exporters === undefined || exporters.length === 0) return undefined;

  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = (env[protocolVariable] ?? "http/protobuf").trim();
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    problem(
      protocolVariable,
      protocol === "grpc"
        ? "grpc is not supported by this server: use http/protobuf (the default) or http/json, which a collector receives on port 4318"
        : `expected http/protobuf or http/json, not "${protocol}"`,
    );
  }
  const samplerName = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() ?? "parentbased_always_on";
  const sampler = samplers.find((name) => name === samplerName) ?? "parentbased_always_on";
  if (sampler !== samplerName) {
    problem("OTEL_TRACES_SAMPLER", `expected one of ${samplers.join(", ")}`);
  }
  let samplerRatio = 1;
  if (sampler.endsWith("traceidratio") && env.OTEL_TRACES_SAMPLER_ARG !== undefined) {
    samplerRatio = Number(env.OTEL_TRACES_SAMPLER_ARG);
    if (env.OTEL_TRACES_SAMPLER_ARG.trim() === "" || !(samplerRatio >= 0 && samplerRatio <= 1)) {
      problem("OTEL_TRACES_SAMPLER_ARG", "expected the fraction of traces to record, from 0 to 1 (e.g. 0.1)");
    }
  }
  const resourceAttributes = readPairs(env, "OTEL_RESOURCE_ATTRIBUTES", problem);
  const maxQueueSize = readInteger(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1, problem);
  const maxExportBatchSize = readInteger(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1, problem);
  if (maxExportBatchSize > maxQueueSize) {
    problem("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", `must not exceed OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`);
  }
  return {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || resourceAttributes["service.name"] || defaultServiceName,
    resourceAttributes,
    sampler,
    samplerRatio,
    exporters,
    otlp: {
      url: readEndpoint(env, problem),
      protocol: protocol === "http/json" ? "http/json" : "http/protobuf",
      headers: {
        ...readPairs(env, "OTEL_EXPORTER_OTLP_HEADERS", problem),
        ...readPairs(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", problem),
      },
      timeoutMs: readInteger(
        env,
        env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT
          ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
          : "OTEL_EXPORTER_OTLP_TIMEOUT",
        10_000,
        1,
        problem,
      ),
    },
    batch: {
      scheduledDelayMillis: readInteger(env, "OTEL_BSP_SCHEDULE_DELAY", 5_000, 0, problem),
      exportTimeoutMillis: readInteger(env, "OTEL_BSP_EXPORT_TIMEOUT", 30_000, 1, problem),
      maxQueueSize,
      maxExportBatchSize,
    },
  };
}

/** The exporters named, or undefined when nothing asks for tracing. */
function readExporters(
  env: Env,
  problem: (variable: Variable, message: string) => void,
): TracingConfig["exporters"] | undefined {
  if (env.OTEL_TRACES_EXPORTER === undefined) {
    const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return endpoint === undefined ? undefined : ["otlp"];
  }
  const names = env.OTEL_TRACES_EXPORTER.split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 1 && names[0] === "none") return undefined;
  const exporters: ("otlp" | "console")[] = [];
  for (const name of new Set(names)) {
    if (name === "otlp" || name === "console") exporters.push(name);
    else {
      problem(
        "OTEL_TRACES_EXPORTER",
        name === "none"
          ? "none turns tracing off and cannot be listed with other exporters"
          : `${name} is not supported: use otlp, console or none`,
      );
    }
  }
  return exporters;
}

/** The signal's own endpoint as given, or the general one with `/v1/traces` appended (the OTLP rule). */
function readEndpoint(env: Env, problem: (variable: Variable, message: string) => void): string {
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const variable = own ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT";
  const url =
    own ?? (general ? `${general.replace(/\/+$/, "")}/v1/traces` : "http://localhost:4318/v1/traces");
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    problem(variable, "expected an http:// or https:// URL, e.g. http://collector:4318");
  }
  return url;
}

function readInteger(
  env: Env,
  variable: Variable,
  fallback: number,
  min: number,
  problem: (variable: Variable, message: string) => void,
): number {
  const text = env[variable]?.trim();
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text === "" || !Number.isInteger(value) || value < min) {
    problem(variable, `expected a whole number of at least ${min}`);
    return fallback;
  }
  return value;
}

/**
 * `key=value,key2=value2`, each part percent-decoded (the W3C baggage form the OTEL_* lists use).
 * A problem names the entry's position, never its text: headers carry credentials.
 */
function readPairs(
  env: Env,
  variable: Variable,
  problem: (variable: Variable, message: string) => void,
): Record<string, string> {
  const pairs: Record<string, string> = {};
  const entries = (env[variable] ?? "").split(",").filter((entry) => entry.trim() !== "");
  entries.forEach((entry, index) => {
    const equals = entry.indexOf("=");
    try {
      const key = decodeURIComponent(entry.slice(0, equals).trim());
      if (equals <= 0 || key === "") throw new Error("no key");
      pairs[key] = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      problem(
        variable,
        `entry ${index + 1} is not key=value (comma-separated, with "," "=" and "%" percent-encoded)`,
      );
    }
  });
  return pairs;
}
