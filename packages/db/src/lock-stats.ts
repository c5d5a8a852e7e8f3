import { MikroORM } from "@mikro-orm/core";

/**
 * SQLite's write-lock waits, counted since the ORM opened (zero on PostgreSQL and MariaDB, whose
 * waits show as pool waits): what /metrics reports as lock waits and lock-timeout 503s.
 */
export type LockStats = {
  /** Transactions that found the write lock taken and waited for it. */
  waits: number;
  /** Time spent waiting, in seconds, granted or not. */
  waitSeconds: number;
  /** Waits that ran out (SQLITE_BUSY_TIMEOUT_MS): each answered 503. */
  timeouts: number;
};

/**
 * The counters one ORM's SQLite driver adds to (dialects/sqlite-immediate-dialect.ts), only when
 * a transaction finds the lock taken: one that gets it at once costs nothing.
 */
export class LockStatsCounter {
  readonly #stats: LockStats = { waits: 0, waitSeconds: 0, timeouts: 0 };

  /** One transaction's wait, `ms` long, ended by the lock being granted or by the timeout. */
  waited(ms: number, granted: boolean): void {
    this.#stats.waits++;
    this.#stats.waitSeconds += ms / 1000;
    if (!granted) this.#stats.timeouts++;
  }

  snapshot(): LockStats {
    return { ...this.#stats };
  }
}

/**
 * The lock statistics of `orm`'s database (a copy; read at each scrape): its SQLite dialect's
 * counters, found through the ORM's `driverOptions` (dialects/sqlite-immediate-dialect.ts).
 */
export function lockStatsOf(orm: object): LockStats {
  const options: unknown = orm instanceof MikroORM ? orm.config.get("driverOptions") : undefined;
  const counter =
    typeof options === "object" && options !== null ? Reflect.get(options, "lockStats") : undefined;
  return counter instanceof LockStatsCounter ? counter.snapshot() : { waits: 0, waitSeconds: 0, timeouts: 0 };
}
