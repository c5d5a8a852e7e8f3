import cluster, { type Worker } from "node:cluster";
import { workerNumberVariable } from "./messages.ts";

type Held = { worker: Worker; events: [name: string, args: unknown[]][]; stopHolding: () => void };

/**
 * A cluster's workers, forked before the primary has loaded and validated its configuration
 * (run.ts), which then overlaps their own start: some 20 ms of the primary's, before anything
 * listens. Each validates the configuration itself too, as every worker does. What a worker says
 * or does before the primary takes them over (primary.ts) is held and handed to it then.
 */
export class EarlyWorkers {
  readonly #held: Held[];

  /** Forks workers 1 to `count`. */
  constructor(count: number) {
    this.#held = Array.from({ length: count }, (_, index) => {
      const worker = cluster.fork({ [workerNumberVariable]: String(index + 1) });
      const events: Held["events"] = [];
      const holders = ["message", "exit", "error"].map((name) => {
        const hold = (...args: unknown[]) => events.push([name, args]);
        worker.on(name, hold);
        return () => worker.off(name, hold);
      });
      const stopHolding = () => {
        for (const stop of holders) stop();
      };
      return { worker, events, stopHolding };
    });
  }

  /** How many were forked. */
  get count(): number {
    return this.#held.length;
  }

  /**
   * Hands every worker, with its number, to `attach` (which listens to it), then replays to those
   * listeners what each said or did meanwhile, in order.
   */
  adopt(attach: (number: number, worker: Worker) => void): void {
    for (const [index, { worker, stopHolding }] of this.#held.entries()) {
      stopHolding();
      attach(index + 1, worker);
    }
    for (const { worker, events } of this.#held) {
      for (const [name, args] of events) worker.emit(name, ...args);
    }
  }

  /** Stops them all (the configuration is invalid) and resolves once each has exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#held.map(({ worker }) => {
        if (worker.process.exitCode !== null || worker.process.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => worker.once("exit", resolve));
        worker.process.kill("SIGTERM");
        return exited;
      }),
    );
  }
}
