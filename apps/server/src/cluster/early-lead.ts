import cluster, { type Worker } from "node:cluster";
import { leadWorker, workerNumberVariable } from "./messages.ts";

const stopSignals = ["SIGINT", "SIGTERM"] as const;

/**
 * A cluster's lead worker, forked before the primary has loaded and validated its configuration
 * (run.ts), which then overlaps the lead's own start: some 20 ms of the primary's, before anything
 * listens. The lead validates the configuration itself too, as every worker does. What it says or
 * does before the primary takes it over (primary.ts) is held and handed to the primary then; a
 * stop signal meanwhile stops it and ends this process (exit 0), as the primary would.
 */
export class EarlyLead {
  readonly #worker: Worker;
  readonly #events: [name: string, args: unknown[]][] = [];
  readonly #holders: [name: string, hold: (...args: unknown[]) => void][];
  readonly #stopped = () => void this.#end().then(() => process.exit(0));

  constructor() {
    // Without a handler, the signal would end this process alone and orphan the lead.
    for (const signal of stopSignals) process.on(signal, this.#stopped);
    this.#worker = cluster.fork({ [workerNumberVariable]: String(leadWorker) });
    this.#holders = ["message", "exit", "error"].map((name) => {
      const hold = (...args: unknown[]) => this.#events.push([name, args]);
      this.#worker.on(name, hold);
      return [name, hold];
    });
  }

  /**
   * Hands the lead to `attach` (which listens to it), then replays to those listeners what it
   * said or did meanwhile, in order.
   */
  adopt(attach: (worker: Worker) => void): void {
    for (const signal of stopSignals) process.off(signal, this.#stopped);
    for (const [name, hold] of this.#holders) this.#worker.off(name, hold);
    attach(this.#worker);
    for (const [name, args] of this.#events) this.#worker.emit(name, ...args);
  }

  /** Stops it (the configuration is invalid, or asks for one process) and resolves once it has exited. */
  async stop(): Promise<void> {
    for (const signal of stopSignals) process.off(signal, this.#stopped);
    await this.#end();
  }

  async #end(): Promise<void> {
    const { process: child } = this.#worker;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}
