import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, type Registry } from "prom-client";

/** The event-loop monitor's sampling interval, in ms (prom-client's too). */
const resolutionMs = 10;

/**
 * A lean subset of what prom-client's collectDefaultMetrics registers, under its names where the
 * meaning is the same: start time, CPU, resident memory and heap; and the event-loop delay.
 * collectDefaultMetrics would also start a garbage-collection observer and an event-loop monitor
 * per registry that nothing can stop: one per server started, for the life of the process (the
 * tests start many).
 */
export function registerProcessMetrics(registry: Registry): { stop(): void } {
  const registers = [registry];
  // A timer due every 10 ms, and how late it fired. The monitor reports the whole interval
  // (an idle loop reads 10 ms), so the gauges subtract it: they read 0 when nothing blocks the
  // loop. prom-client's nodejs_eventloop_lag_* keep the 10 ms in, hence other names here. They
  // tell the distribution since the previous scrape.
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const late = (nanoseconds: number) => Math.max(0, nanoseconds / 1e9 - resolutionMs / 1000);
  let loop = { p50: 0, p99: 0, max: 0 };

  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers,
  }).set(Math.round(Date.now() / 1000 - process.uptime()));
  new Counter({
    name: "process_cpu_seconds_total",
    help: "User and system CPU time spent, in seconds.",
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size, in bytes.",
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  const heap = (name: string, help: string, read: (usage: NodeJS.MemoryUsage) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(process.memoryUsage()));
      },
    });
  heap("nodejs_heap_size_used_bytes", "V8 heap in use, in bytes.", (usage) => usage.heapUsed);
  heap("nodejs_heap_size_total_bytes", "V8 heap allocated, in bytes.", (usage) => usage.heapTotal);
  // The first of the three reads the monitor and starts the next interval; the other two report
  // the same reading (prom-client collects a registry's metrics in the order they were made).
  new Gauge({
    name: "nodejs_eventloop_delay_p50_seconds",
    help: "Median event-loop delay since the previous scrape, in seconds (how late a 10 ms timer fired).",
    registers,
    collect() {
      // Before the first sample, the monitor's percentiles and max are 0.
      loop = { p50: late(delay.percentile(50)), p99: late(delay.percentile(99)), max: late(delay.max) };
      delay.reset();
      this.set(loop.p50);
    },
  });
  new Gauge({
    name: "nodejs_eventloop_delay_p99_seconds",
    help: "99th percentile of the event-loop delay since the previous scrape, in seconds.",
    registers,
    collect() {
      this.set(loop.p99);
    },
  });
  new Gauge({
    name: "nodejs_eventloop_delay_max_seconds",
    help: "Longest event-loop delay since the previous scrape, in seconds.",
    registers,
    collect() {
      this.set(loop.max);
    },
  });
  return { stop: () => delay.disable() };
}
