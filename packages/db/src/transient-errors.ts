import { ConnectionException, DeadlockException, LockWaitTimeoutException } from "@mikro-orm/core";
import { isOutdatedPlan } from "./dialects/postgresql-prepared.ts";

/** Driver error codes that mean "not now" rather than "never": the same call may succeed soon. */
const transientCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "57P01", // PostgreSQL: terminating connection due to administrator command
  "57P02", // crash shutdown
  "57P03", // cannot connect now (starting up or shutting down)
  "53300", // too many connections
  "57014", // statement timeout (or a cancel): the database was too busy or locked to answer in time
  "55P03", // lock not available (lock_timeout)
  "08000", // connection exception
  "08001", // client unable to establish connection
  "08003", // connection does not exist
  "08006", // connection failure
]);

/**
 * MySQL/MariaDB SQLSTATEs that mean the same (their `code` is a name, the state is separate):
 * 70100, a statement interrupted by `max_statement_time` or a `KILL QUERY`. Without it, a MariaDB
 * statement past the statement timeout answered 500 where PostgreSQL's answered 503
 * (apps/server/test/statement-timeout.test.ts).
 */
const transientSqlStates = new Set(["70100"]);

/**
 * True when an error says the database is busy or unreachable for a moment (a lock held by
 * another process past the busy timeout, a dropped or refused connection, a deadlock victim,
 * an exhausted pool, a statement a live migration outdated), as opposed to a bug or a bad request:
 * callers get 503 and may retry.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (const current of causesOf(error)) {
    if (
      isLockNotGrantedError(current) ||
      current instanceof ConnectionException ||
      current instanceof DeadlockException
    ) {
      return true;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && transientCodes.has(code)) return true;
    const sqlState = (current as { sqlState?: unknown }).sqlState;
    if (typeof sqlState === "string" && transientSqlStates.has(sqlState)) return true;
    // A prepared statement outdated by a migration, inside a transaction: its connection sends it
    // unnamed from then on and prepares it anew once idle (dialects/postgresql-prepared.ts).
    if (isOutdatedPlan(current)) return true;
    if (
      // `pg` says "not queryable" when a call reuses a client whose connection has just died.
      /timeout exceeded when trying to connect|Connection terminated|is not queryable|database is locked/i.test(
        current.message,
      )
    ) {
      return true;
    }
  }
  return false;
}

/**
 * True when a lock was not granted within its timeout: SQLite's write lock past the busy
 * timeout (SQLITE_BUSY), or another database's lock wait, as the driver or the ORM reports it.
 */
export function isLockNotGranted(error: unknown): boolean {
  for (const current of causesOf(error)) if (isLockNotGrantedError(current)) return true;
  return false;
}

function isLockNotGrantedError(error: Error): boolean {
  if (error instanceof LockWaitTimeoutException) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/** An error and the errors it wraps (`cause`), five deep at most. */
function* causesOf(error: unknown): Generator<Error> {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    yield current;
    current = current.cause;
  }
}
