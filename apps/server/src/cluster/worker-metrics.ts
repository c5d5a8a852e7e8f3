// A worker's side of /metrics in a cluster (the primary's is metrics-gathering.ts): it gives the
// primary its own metrics when asked, and answers /metrics on the public port with every
// worker's, which it asks the primary for.
import { MetricsUnavailable } from "../observability/metrics-route.ts";
import { isPrimaryMessage, sendToPrimary } from "./messages.ts";
import { workerAnswerTimeoutMs } from "./metrics-gathering.ts";

/**
 * How long /metrics on the public port waits for the primary: its gathering is bounded by
 * workerAnswerTimeoutMs, so only a primary that is gone or stuck takes longer.
 */
const primaryAnswerTimeoutMs = workerAnswerTimeoutMs + 4_000;

/** Answers the primary's "collect" with `scrape()`, this worker's own metrics. */
export function answerMetricsRequests(scrape: () => Promise<string>): void {
  process.on("message", (message: unknown) => {
    if (!isPrimaryMessage(message) || message.kind !== "collect") return;
    const { id } = message;
    // A scrape that fails goes unanswered: the primary counts this worker as not answering.
    scrape().then(
      (text) => sendToPrimary({ kind: "metrics", id, text }),
      () => {},
    );
  });
}

/** Returns what gets every worker's metrics, merged, from the primary: one IPC round trip a call. */
export function clusterMetricsFromPrimary(): () => Promise<string> {
  const waiting = new Map<number, (text: string) => void>();
  let nextId = 1;
  process.on("message", (message: unknown) => {
    if (isPrimaryMessage(message) && message.kind === "scraped") waiting.get(message.id)?.(message.text);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(
          new MetricsUnavailable(
            `The cluster's primary process did not gather the workers' metrics within ${primaryAnswerTimeoutMs} ms`,
          ),
        );
      }, primaryAnswerTimeoutMs);
      waiting.set(id, (text) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(text);
      });
      void sendToPrimary({ kind: "scrape", id });
    });
}
