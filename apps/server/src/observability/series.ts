/**
 * The per-call and per-request metrics, kept as plain numbers and written out in the Prometheus
 * text format at scrape time. prom-client 15 validates and hashes the label set on every `inc`
 * and `observe`, even through a `labels(…)` child (about 0.6 µs for a counter and a histogram,
 * measured): here a call costs a map lookup, a few comparisons and additions.
 */

/** Latency buckets in seconds: 1 ms to 10 s. */
export const latencyBuckets: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** One label set's observations: a count per bucket (the last for above 10 s) and their sum. */
export class Durations {
  readonly counts = new Array<number>(latencyBuckets.length + 1).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < latencyBuckets.length && seconds > (latencyBuckets[bucket] ?? 0)) bucket++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sum += seconds;
  }
}

/** `name="value",…` with the format's escapes, rendered once per label set. */
export function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replace(/[\\"\n]/g, escapeChar)}"`)
    .join(",");
}

function escapeChar(char: string): string {
  return char === "\n" ? "\\n" : `\\${char}`;
}

/** A counter family: one line per label set (`labels` from labelText). */
export function counterText(
  name: string,
  help: string,
  rows: Iterable<[labels: string, value: number]>,
): string {
  let text = `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
  for (const [labels, value] of rows) text += `${name}{${labels}} ${value}\n`;
  return text;
}

/** A histogram family: cumulative buckets, `+Inf`, sum and count per label set. */
export function histogramText(
  name: string,
  help: string,
  rows: Iterable<[labels: string, Durations]>,
): string {
  let text = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
  for (const [labels, durations] of rows) {
    let cumulative = 0;
    latencyBuckets.forEach((bound, index) => {
      cumulative += durations.counts[index] ?? 0;
      text += `${name}_bucket{${labels},le="${bound}"} ${cumulative}\n`;
    });
    text += `${name}_bucket{${labels},le="+Inf"} ${durations.count}\n`;
    text += `${name}_sum{${labels}} ${durations.sum}\n`;
    text += `${name}_count{${labels}} ${durations.count}\n`;
  }
  return text;
}
