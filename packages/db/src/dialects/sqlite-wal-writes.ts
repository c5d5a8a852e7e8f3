import { type FSWatcher, watch } from "node:fs";

/**
 * Wakes a transaction that waits for another process's write lock when that process commits.
 * A commit writes its pages to the database's `-wal` file, which the kernel reports to a watcher
 * of the file (inotify on Linux), in the waiter's own event loop; the lock is released a few
 * microseconds after that write. Without this, the waiter could only try again at its next turn
 * of the event loop, or after a pause: two workers creating at once spent about a third of their
 * CPU trying, and a waiting worker that slept let the lock go unused.
 *
 * A lock released without a write (a rollback, another process's idle `begin immediate`) wakes
 * nobody: every wait therefore ends after its pause anyway. The file is watched only while
 * someone waits.
 */
export class WalWrites {
  readonly #walPath: string | undefined;
  readonly #waiters = new Set<() => void>();
  #watcher: FSWatcher | undefined;

  /** `databasePath`: the database file; undefined in memory (no other process shares it). */
  constructor(databasePath: string | undefined) {
    this.#walPath = databasePath === undefined ? undefined : `${databasePath}-wal`;
  }

  /** Resolves at the next write to the `-wal` file by any process, or after `pauseMs` at most. */
  next(pauseMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(pause);
        this.#waiters.delete(done);
        if (this.#waiters.size === 0) this.#unwatch();
        resolve();
      };
      const pause = setTimeout(done, pauseMs);
      this.#waiters.add(done);
      this.#watch();
    });
  }

  #watch(): void {
    if (this.#watcher || this.#walPath === undefined) return;
    try {
      const watcher = watch(this.#walPath, { persistent: false }, () => {
        for (const done of [...this.#waiters]) done();
      });
      // The file removed (the last connection closed it) or unwatchable: the pauses remain.
      watcher.on("error", () => this.#unwatch());
      this.#watcher = watcher;
    } catch {
      // No `-wal` file at the moment, or no watcher left (the system's limit): the pauses remain.
    }
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
