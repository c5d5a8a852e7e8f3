// Preloaded with `node --import` by measure-import.ts: prints the process's peak resident memory
// and the largest JavaScript heap it saw (sampled), as it exits. The heap is what would grow with
// the file if anything held on to rows; resident memory also counts V8's and malloc's reserves.
let peakHeap = 0;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
setInterval(sample, 100).unref();
process.on("exit", () => {
  sample();
  process.stderr.write(
    `peak-rss-kb ${process.resourceUsage().maxRSS} peak-heap-kb ${Math.round(peakHeap / 1024)}\n`,
  );
});
