import autocannon from "autocannon";
import { LatencyRecorder } from "./latency.ts";
import { sampleRss } from "./rss.ts";
import type { Scenario } from "./scenarios.ts";

export type LoadOptions = { url: string; pid: number; duration: number; warmup: number; connections: number };

export type LoadResult = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
  /** Peak resident memory of the server during the measured run, in bytes. */
  peakRssBytes: number;
};

/**
 * Drives one server with one scenario: an unmeasured warm-up (JIT, statement caches), then the
 * measured run while the server's RSS is sampled. autocannon runs in this process, so it shares
 * the machine's cores with the server, equally for the project and the raw ceiling.
 */
export async function runLoad(scenario: Scenario, options: LoadOptions): Promise<LoadResult> {
  if (options.warmup > 0) await fire(scenario, options, options.warmup);
  const rss = sampleRss(options.pid);
  const latencies = new LatencyRecorder();
  const result = await fire(scenario, options, options.duration, latencies);
  const peakRssBytes = rss.stop();
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: latencies.percentile(0.5),
    p99Ms: latencies.percentile(0.99),
    errors: result.errors + result.non2xx,
    peakRssBytes,
  };
}

function fire(
  scenario: Scenario,
  options: LoadOptions,
  duration: number,
  latencies?: LatencyRecorder,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration,
        requests: [{ setupRequest: (request) => ({ ...request, ...scenario.request() }) }],
      },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies) instance.on("response", (_client, _status, _bytes, ms) => latencies.record(ms));
  });
}
