// The primary's side of /metrics in a cluster. Each worker counts what it serves in its own
// process, so a scrape that reached one worker would count a random share of the calls: the
// primary asks every serving worker for its own text over the cluster's IPC channel, at each
// scrape, and merges the answers (merge-metrics.ts) with its own few figures. Nothing is added to
// a request's path: the workers count as they do alone, and the gathering costs one IPC round
// trip per worker per scrape.
import type { Worker } from "node:cluster";
import { mergeWorkerMetrics, type WorkerMetrics } from "./merge-metrics.ts";
import type { PrimaryMessage } from "./messages.ts";

/**
 * How long a scrape waits for a worker's answer. A worker answers within milliseconds unless its
 * event loop is stuck; one that has not answered by then is left out of that scrape (and counted
 * in metrics_workers_unanswered) rather than holding the scrape up to the scraper's own timeout.
 */
export const workerAnswerTimeoutMs = 1_000;

/** A worker the primary may ask: its number (1 to WORKERS) and its process. */
export type ServingWorker = { number: number; worker: Worker };

export class MetricsGathering {
  /** Workers that died while serving (each is started again), since the primary started. */
  restarts = 0;
  readonly #waiting = new Map<number, (text: string) => void>();
  /**
   * Each worker's questions still unanswered, ended all at once by its one "exit" listener: a
   * listener per question passed Node's limit of 10 with 11 scrapes at once, and it warned of a leak.
   */
  readonly #askedOf = new WeakMap<Worker, Set<() => void>>();
  #nextId = 1;

  /** A worker's answer to "collect". */
  answered(id: number, text: string): void {
    this.#waiting.get(id)?.(text);
  }

  /** Every serving worker's metrics, labelled by worker, then the primary's own: one exposition. */
  async gather(workers: readonly ServingWorker[]): Promise<string> {
    const answers = await Promise.all(workers.map((each) => this.#ask(each)));
    const parts = answers.filter((answer) => answer !== undefined);
    return mergeWorkerMetrics(parts) + this.#ownText(workers.length, answers.length - parts.length);
  }

  /** One worker's own metrics; undefined if it did not answer in time, or died first. */
  #ask({ number, worker }: ServingWorker): Promise<WorkerMetrics | undefined> {
    return new Promise((resolve) => {
      const id = this.#nextId++;
      const asked = this.#questionsFor(worker);
      const finish = (text: string | undefined) => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        asked.delete(onExit);
        resolve(text === undefined ? undefined : { worker: number, text });
      };
      const onExit = () => finish(undefined);
      const timer = setTimeout(onExit, workerAnswerTimeoutMs);
      asked.add(onExit);
      this.#waiting.set(id, finish);
      const message: PrimaryMessage = { kind: "collect", id };
      // A worker whose channel has just closed: its answer will not come.
      worker.send(message, (error) => {
        if (error) finish(undefined);
      });
    });
  }

  /** The unanswered questions to `worker`, which its death ends (their answers will not come). */
  #questionsFor(worker: Worker): Set<() => void> {
    let asked = this.#askedOf.get(worker);
    if (asked === undefined) {
      const questions = new Set<() => void>();
      worker.once("exit", () => {
        for (const onExit of questions) onExit();
      });
      this.#askedOf.set(worker, questions);
      asked = questions;
    }
    return asked;
  }

  #ownText(serving: number, unanswered: number): string {
    return (
      "# HELP cluster_workers Worker processes serving now (WORKERS when all are).\n" +
      "# TYPE cluster_workers gauge\n" +
      `cluster_workers ${serving}\n` +
      "# HELP cluster_worker_restarts_total Worker processes that died while serving, each started again after a delay.\n" +
      "# TYPE cluster_worker_restarts_total counter\n" +
      `cluster_worker_restarts_total ${this.restarts}\n` +
      `# HELP metrics_workers_unanswered Serving workers that did not answer this scrape within ${workerAnswerTimeoutMs} ms: their samples are missing from it.\n` +
      "# TYPE metrics_workers_unanswered gauge\n" +
      `metrics_workers_unanswered ${unanswered}\n`
    );
  }
}
