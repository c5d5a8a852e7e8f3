import autocannon from "autocannon";
import { LatencyRecorder } from "./latency.ts";
import { sampleRss } from "./rss.ts";
import type { Scenario } from "./scenarios.ts";

/**
 * A server to load. `authorization`: its own admin's `Bearer` value, which replaces the one a
 * scenario's request carries (a session lives in one server's database: another build on its own
 * file needs its own, or it answers 401s, fast).
 */
export type LoadTarget = { url: string; pid: number; authorization?: string | undefined };

export type LoadResult = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
  /** Peak resident memory of the server during the measured slices, in bytes. */
  peakRssBytes: number;
};

/**
 * One scenario on one server, measured over one or more slices of time: requests and seconds
 * add up, latencies pool, the RSS peak is the highest of any slice. autocannon runs in this
 * process, so it shares the machine's cores with the server, equally for every server.
 */
export class Measurement {
  readonly #scenario: Scenario;
  readonly #target: LoadTarget;
  readonly #connections: number;
  readonly #latencies = new LatencyRecorder();
  #requests = 0;
  #seconds = 0;
  #errors = 0;
  #peakRssBytes = 0;

  constructor(scenario: Scenario, target: LoadTarget, connections: number) {
    this.#scenario = scenario;
    this.#target = target;
    this.#connections = connections;
  }

  /** Unmeasured load (JIT, statement caches). */
  async warmUp(seconds: number): Promise<void> {
    if (seconds > 0) await fire(this.#scenario, this.#target, this.#connections, seconds);
  }

  /** Measured load, added to the slices before. */
  async measure(seconds: number): Promise<void> {
    const rss = sampleRss(this.#target.pid);
    const result = await fire(this.#scenario, this.#target, this.#connections, seconds, this.#latencies);
    this.#seconds += result.duration;
    this.#peakRssBytes = Math.max(this.#peakRssBytes, rss.stop());
    this.#requests += result.requests.total;
    this.#errors += result.errors + result.non2xx;
  }

  result(): LoadResult {
    return {
      requestsPerSecond: this.#seconds > 0 ? this.#requests / this.#seconds : 0,
      p50Ms: this.#latencies.percentile(0.5),
      p99Ms: this.#latencies.percentile(0.99),
      errors: this.#errors,
      peakRssBytes: this.#peakRssBytes,
    };
  }
}

function fire(
  scenario: Scenario,
  target: LoadTarget,
  connections: number,
  duration: number,
  latencies?: LatencyRecorder,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration,
        requests: [
          {
            setupRequest: (request) => {
              const next = scenario.request();
              const headers = target.authorization
                ? { ...next.headers, authorization: target.authorization }
                : next.headers;
              return { ...request, ...next, ...(headers && { headers }) };
            },
          },
        ],
      },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies) instance.on("response", (_client, _status, _bytes, ms) => latencies.record(ms));
  });
}

export type RoundsOptions = { duration: number; warmup: number; connections: number; rounds: number };

/**
 * Measures every scenario on every server for `duration` seconds each, in `rounds` slices taken
 * in turn: round after round, scenario after scenario, the servers alternating which goes first.
 * A machine that gets busier or quieter mid-run (this VM's speed moved by a third within a
 * minute) then shifts every figure alike, instead of whichever scenario it happened to land on.
 * Each scenario first gets `warmup` unmeasured seconds on each server. Returns the results by
 * scenario, then by server, in the order given.
 */
export async function measureInRounds(
  scenarios: readonly Scenario[],
  servers: readonly LoadTarget[],
  options: RoundsOptions,
  log: (message: string) => void,
): Promise<LoadResult[][]> {
  const measurements = scenarios.map((scenario) =>
    servers.map((server) => new Measurement(scenario, server, options.connections)),
  );
  if (options.warmup > 0) {
    log(`warming up: ${options.warmup} s per scenario and server`);
    for (const measurement of measurements.flat()) await measurement.warmUp(options.warmup);
  }
  const slice = options.duration / options.rounds;
  for (let round = 0; round < options.rounds; round++) {
    log(`round ${round + 1} of ${options.rounds}: ${slice.toFixed(1)} s per scenario and server`);
    for (const perServer of measurements) {
      const order = round % 2 === 0 ? perServer : perServer.toReversed();
      for (const measurement of order) await measurement.measure(slice);
    }
  }
  return measurements.map((perServer) => perServer.map((measurement) => measurement.result()));
}
