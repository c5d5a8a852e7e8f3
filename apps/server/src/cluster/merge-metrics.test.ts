import { describe, expect, it } from "vitest";
import { mergeWorkerMetrics } from "./merge-metrics.ts";

// What a worker's /metrics looks like: prom-client's families (blank lines between), then the
// hand-written ones (series.ts), a histogram among them.
const worker = (calls: number) => `# HELP process_cpu_seconds_total CPU time.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 0.5

# HELP trpc_calls_total Calls.
# TYPE trpc_calls_total counter
trpc_calls_total{procedure="users.list",type="query",code="OK"} ${calls}
# HELP trpc_call_duration_seconds Duration.
# TYPE trpc_call_duration_seconds histogram
trpc_call_duration_seconds_bucket{procedure="users.list",le="0.1"} ${calls}
trpc_call_duration_seconds_bucket{procedure="users.list",le="+Inf"} ${calls}
trpc_call_duration_seconds_sum{procedure="users.list"} 0.25
trpc_call_duration_seconds_count{procedure="users.list"} ${calls}
# HELP odd_empty_labels A sample written with empty braces.
# TYPE odd_empty_labels gauge
odd_empty_labels{} 1
`;

describe("mergeWorkerMetrics", () => {
  it("writes each family once, its samples together and labelled with their worker", () => {
    const merged = mergeWorkerMetrics([
      { worker: 1, text: worker(3) },
      { worker: 2, text: worker(4) },
    ]);
    expect(merged).toBe(`# HELP process_cpu_seconds_total CPU time.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total{worker="1"} 0.5
process_cpu_seconds_total{worker="2"} 0.5
# HELP trpc_calls_total Calls.
# TYPE trpc_calls_total counter
trpc_calls_total{worker="1",procedure="users.list",type="query",code="OK"} 3
trpc_calls_total{worker="2",procedure="users.list",type="query",code="OK"} 4
# HELP trpc_call_duration_seconds Duration.
# TYPE trpc_call_duration_seconds histogram
trpc_call_duration_seconds_bucket{worker="1",procedure="users.list",le="0.1"} 3
trpc_call_duration_seconds_bucket{worker="1",procedure="users.list",le="+Inf"} 3
trpc_call_duration_seconds_sum{worker="1",procedure="users.list"} 0.25
trpc_call_duration_seconds_count{worker="1",procedure="users.list"} 3
trpc_call_duration_seconds_bucket{worker="2",procedure="users.list",le="0.1"} 4
trpc_call_duration_seconds_bucket{worker="2",procedure="users.list",le="+Inf"} 4
trpc_call_duration_seconds_sum{worker="2",procedure="users.list"} 0.25
trpc_call_duration_seconds_count{worker="2",procedure="users.list"} 4
# HELP odd_empty_labels A sample written with empty braces.
# TYPE odd_empty_labels gauge
odd_empty_labels{worker="1"} 1
odd_empty_labels{worker="2"} 1
`);
  });

  it("keeps a family that only a later worker has, and one with no samples yet", () => {
    const merged = mergeWorkerMetrics([
      { worker: 1, text: "# HELP calls_total Calls.\n# TYPE calls_total counter\n" },
      {
        worker: 3,
        text: "# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total 2\n# HELP waits_total Waits.\n# TYPE waits_total counter\nwaits_total 1\n# HELP idle Idle.\n# TYPE idle gauge\n",
      },
    ]);
    expect(merged).toBe(
      '# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total{worker="3"} 2\n' +
        '# HELP waits_total Waits.\n# TYPE waits_total counter\nwaits_total{worker="3"} 1\n' +
        "# HELP idle Idle.\n# TYPE idle gauge\n",
    );
  });

  it("leaves a label value that holds braces and spaces as it was", () => {
    const merged = mergeWorkerMetrics([
      { worker: 1, text: '# TYPE hits_total counter\nhits_total{route="/a {b} c"} 1\n' },
    ]);
    expect(merged).toBe('# TYPE hits_total counter\nhits_total{worker="1",route="/a {b} c"} 1\n');
  });

  it("is empty when no worker answered", () => {
    expect(mergeWorkerMetrics([])).toBe("");
  });
});
