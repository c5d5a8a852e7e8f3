// The primary's side of feed-neighbours.ts: which workers' feeds have subscribers, and the word
// of a commit passed from one worker to the others that do.
import type { Worker } from "node:cluster";
import type { PrimaryMessage } from "./messages.ts";

export class FeedRelay {
  /** Workers whose change feed has subscribers now. */
  readonly #following = new Set<Worker>();
  readonly #workers: () => Worker[];
  readonly #tell: (worker: Worker, message: PrimaryMessage) => void;

  /** `workers`: every live worker, each told whether any other one's feed has subscribers. */
  constructor(workers: () => Worker[], tell: (worker: Worker, message: PrimaryMessage) => void) {
    this.#workers = workers;
    this.#tell = tell;
  }

  /** `worker`'s feed has subscribers now, or none any more. */
  following(worker: Worker, active: boolean): void {
    if (active === this.#following.has(worker)) return;
    if (active) this.#following.add(worker);
    else this.#following.delete(worker);
    this.#announce();
  }

  /** A write committed in `from`: every other worker whose feed has subscribers hears of it. */
  committed(from: Worker): void {
    for (const worker of this.#following) {
      if (worker !== from && worker.isConnected()) this.#tell(worker, { kind: "committed" });
    }
  }

  /** A worker that has just begun to serve learns whether another one's feed has subscribers. */
  welcome(worker: Worker): void {
    if (this.#othersThan(worker)) this.#tell(worker, { kind: "others-following", active: true });
  }

  /** `worker` exited (its subscribers are gone with it); a new worker starts with nobody following. */
  forget(worker: Worker): void {
    if (this.#following.delete(worker)) this.#announce();
  }

  /** Whether a worker other than `worker` has subscribers. */
  #othersThan(worker: Worker): boolean {
    for (const other of this.#following) if (other !== worker) return true;
    return false;
  }

  /** Tells each worker whether another one's feed has subscribers, so it sends its commits or not. */
  #announce(): void {
    for (const worker of this.#workers()) {
      if (!worker.isConnected()) continue;
      this.#tell(worker, { kind: "others-following", active: this.#othersThan(worker) });
    }
  }
}
