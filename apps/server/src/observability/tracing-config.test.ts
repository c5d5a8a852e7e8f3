import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";

const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };

/** The message of the ConfigError that `env` makes loadConfig throw. */
function problemWith(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("tracing configuration (OTEL_*)", () => {
  it("is off unless an endpoint or an exporter is set", () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_SERVICE_NAME: "shop", OTEL_TRACES_SAMPLER: "always_on" }).tracing,
    ).toBeUndefined();
    expect(loadConfig(endpoint).tracing?.exporters).toEqual(["otlp"]);
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" }).tracing,
    ).toBeDefined();
    expect(loadConfig({ OTEL_TRACES_EXPORTER: "console" }).tracing?.exporters).toEqual(["console"]);
    expect(loadConfig({ OTEL_TRACES_EXPORTER: "otlp, console" }).tracing?.exporters).toEqual([
      "otlp",
      "console",
    ]);
  });

  it("is off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, whatever else is set", () => {
    expect(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: "none" }).tracing).toBeUndefined();
    // Nothing else is read then: a setting meant for other services does not stop this one.
    const disabled = { ...endpoint, OTEL_SDK_DISABLED: "TRUE", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" };
    expect(loadConfig(disabled).tracing).toBeUndefined();
    expect(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: "false" }).tracing).toBeDefined();
    expect(problemWith({ OTEL_SDK_DISABLED: "yes" })).toMatch(/OTEL_SDK_DISABLED: expected true or false/);
  });

  it("sends to <endpoint>/v1/traces, or to the traces endpoint as given, in http/protobuf unless told", () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" }).tracing?.otlp).toMatchObject(
      {
        url: "http://collector:4318/v1/traces",
        protocol: "http/protobuf",
        timeoutMs: 10_000,
      },
    );
    const own = { ...endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/in" };
    expect(loadConfig(own).tracing?.otlp.url).toBe("https://traces.example/in");
    expect(loadConfig({ OTEL_TRACES_EXPORTER: "otlp" }).tracing?.otlp.url).toBe(
      "http://localhost:4318/v1/traces",
    );
    const json = { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" };
    expect(loadConfig(json).tracing?.otlp.protocol).toBe("http/json");
    const override = { ...json, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" };
    expect(loadConfig(override).tracing?.otlp.protocol).toBe("http/protobuf");
    expect(problemWith({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toMatch(
      /OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:\/\/ or https:\/\/ URL/,
    );
  });

  it("refuses grpc, saying what to use instead, with every other problem in the same error", () => {
    const message = problemWith({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", PORT: "eighty" });
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(
      /OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported by this server: use http\/protobuf \(the default\) or http\/json/,
    );
    expect(problemWith({ OTEL_TRACES_EXPORTER: "zipkin" })).toMatch(
      /OTEL_TRACES_EXPORTER: zipkin is not supported: use otlp, console or none/,
    );
  });

  it("samples parent-based, always on, unless OTEL_TRACES_SAMPLER and its argument say otherwise", () => {
    expect(loadConfig(endpoint).tracing).toMatchObject({ sampler: "parentbased_always_on", samplerRatio: 1 });
    const tenth = {
      ...endpoint,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    };
    expect(loadConfig(tenth).tracing).toMatchObject({
      sampler: "parentbased_traceidratio",
      samplerRatio: 0.1,
    });
    expect(problemWith({ ...tenth, OTEL_TRACES_SAMPLER_ARG: "10%" })).toMatch(/OTEL_TRACES_SAMPLER_ARG: /);
    expect(problemWith({ ...endpoint, OTEL_TRACES_SAMPLER: "jaeger_remote" })).toMatch(
      /OTEL_TRACES_SAMPLER: expected one of parentbased_always_on, /,
    );
  });

  it("names the service and its resource, OTEL_SERVICE_NAME first", () => {
    expect(loadConfig(endpoint).tracing?.serviceName).toBe("users-items-server");
    const resource = {
      ...endpoint,
      OTEL_RESOURCE_ATTRIBUTES: "service.name=shop,deployment.environment.name=pre%2Cprod",
    };
    expect(loadConfig(resource).tracing).toMatchObject({
      serviceName: "shop",
      resourceAttributes: { "deployment.environment.name": "pre,prod" },
    });
    expect(loadConfig({ ...resource, OTEL_SERVICE_NAME: "api" }).tracing?.serviceName).toBe("api");
  });

  it("takes the exporter's headers and timeout, and never prints a header's value", () => {
    const headers = {
      ...endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Basic%20c2VjcmV0,x-team=a",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-team=b",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
    };
    expect(loadConfig(headers).tracing?.otlp).toMatchObject({
      headers: { authorization: "Basic c2VjcmV0", "x-team": "b" },
      timeoutMs: 2500,
    });
    const message = problemWith({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: "x-team=a,api-key-s3cr3t-value" });
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value/);
    expect(message).not.toContain("s3cr3t");
    expect(problemWith({ ...endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: "0" })).toMatch(
      /OTEL_EXPORTER_OTLP_TIMEOUT: /,
    );
  });

  it("takes the batch processor's settings (OTEL_BSP_*)", () => {
    expect(loadConfig(endpoint).tracing?.batch).toEqual({
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
    const batch = { ...endpoint, OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_BSP_MAX_QUEUE_SIZE: "100" };
    expect(problemWith(batch)).toMatch(
      /OTEL_BSP_MAX_EXPORT_BATCH_SIZE: must not exceed OTEL_BSP_MAX_QUEUE_SIZE \(100\)/,
    );
    expect(loadConfig({ ...batch, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "50" }).tracing?.batch).toMatchObject({
      scheduledDelayMillis: 100,
      maxQueueSize: 100,
      maxExportBatchSize: 50,
    });
  });
});
