// What the primary (primary.ts) and its workers (worker.ts) tell each other over the cluster's IPC channel.

/** The environment variable through which the primary gives each worker its number, 1 to WORKERS. */
export const workerNumberVariable = "SERVER_WORKER";

/**
 * Worker 1 leads: it applies the migrations and ensures the admin account, and listens, before
 * the others start (primary.ts); it alone prunes the change log. A worker that replaces it leads
 * in its turn.
 */
export const leadWorker = 1;

export type WorkerMessage =
  /** Listening on `url` (every worker shares it). */
  | { kind: "listening"; url: string }
  /** Could not start; `message` is the one line to print. */
  | { kind: "failed"; message: string }
  /** /metrics was asked of this worker on the public port: the primary gathers every worker's. */
  | { kind: "scrape"; id: number }
  /** The answer to "collect": this worker's own metrics, in the Prometheus text format. */
  | { kind: "metrics"; id: number; text: string }
  /** This worker's change feed has subscribers now (true), or none any more (feed-neighbours.ts). */
  | { kind: "following"; active: boolean }
  /** A write committed in this worker (sent only while another worker's feed has subscribers). */
  | { kind: "committed" };

export type PrimaryMessage =
  /** Asks a serving worker for its own metrics (answered by "metrics" with the same id). */
  | { kind: "collect"; id: number }
  /** The answer to "scrape": every worker's metrics, merged. */
  | { kind: "scraped"; id: number; text: string }
  /** Whether another worker's change feed has subscribers: if so, tell the primary of commits. */
  | { kind: "others-following"; active: boolean }
  /** A write committed in another worker: read the change log now. */
  | { kind: "committed" };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== "object" || value === null || !("kind" in value)) return false;
  switch (value.kind) {
    case "committed":
      return true;
    case "following":
      return "active" in value && typeof value.active === "boolean";
    case "listening":
      return "url" in value && typeof value.url === "string";
    case "failed":
      return "message" in value && typeof value.message === "string";
    case "scrape":
      return hasId(value);
    case "metrics":
      return hasId(value) && "text" in value && typeof value.text === "string";
    default:
      return false;
  }
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  if (typeof value !== "object" || value === null || !("kind" in value)) return false;
  switch (value.kind) {
    case "committed":
      return true;
    case "others-following":
      return "active" in value && typeof value.active === "boolean";
    case "collect":
      return hasId(value);
    case "scraped":
      return hasId(value) && "text" in value && typeof value.text === "string";
    default:
      return false;
  }
}

function hasId(value: object): boolean {
  return "id" in value && typeof value.id === "number";
}

/** Sends `message` to the primary (in a worker); resolves once it is handed to the channel (before an exit). */
export function sendToPrimary(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}
