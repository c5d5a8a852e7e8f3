/**
 * What keeps the database's storage from working: it is full, it reports I/O errors, it became
 * read-only, its file is gone (or was replaced), or the database server ran out of memory.
 */
export type StorageFault = "disk-full" | "io-error" | "read-only" | "file-missing" | "out-of-memory";

/**
 * PostgreSQL SQLSTATEs (its `code`): 53100 disk_full, 53200 out_of_memory, 58030 io_error,
 * 58P01 undefined_file (a data file gone), 25006 read_only_sql_transaction (a standby, or
 * `default_transaction_read_only`).
 */
const postgresFaults = new Map<string, StorageFault>([
  ["53100", "disk-full"],
  ["53200", "out-of-memory"],
  ["58030", "io-error"],
  ["58P01", "file-missing"],
  ["25006", "read-only"],
]);

/**
 * MariaDB/MySQL error numbers (`errno`, with the name in `code`): 1021 ER_DISK_FULL, 1114
 * ER_RECORD_FILE_FULL (InnoDB could not extend a table's file), 1036 ER_OPEN_AS_READONLY, 1792
 * ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, 1836 ER_READ_ONLY_MODE, 1037 ER_OUTOFMEMORY, 1041
 * ER_OUT_OF_RESOURCES; reading or writing a file (1024, 1026) and committing or rolling back
 * (1180, 1181) failed in the storage engine: an I/O error, or a full disk when the operating
 * system's error 28 (ENOSPC) is quoted.
 */
const mariadbFaults = new Map<number, StorageFault>([
  [1021, "disk-full"],
  [1114, "disk-full"],
  [1036, "read-only"],
  [1792, "read-only"],
  [1836, "read-only"],
  [1037, "out-of-memory"],
  [1041, "out-of-memory"],
  [1024, "io-error"],
  [1026, "io-error"],
  [1180, "io-error"],
  [1181, "io-error"],
]);
/** ER_OPTION_PREVENTS_STATEMENT and ER_GET_ERRNO are generic: only their message tells. */
const mariadbGeneric = new Set([1290, 1030]);

/** Node's own system errors (a file the server writes itself). */
const systemFaults = new Map<string, StorageFault>([
  ["ENOSPC", "disk-full"],
  ["EDQUOT", "disk-full"],
  ["EIO", "io-error"],
  ["EROFS", "read-only"],
]);

/**
 * The storage fault an error reports, on any of the three databases, or undefined for every
 * other error (a busy database, a lost connection, a bug, a bad request). Such a fault is not
 * the caller's doing and passes once an operator frees space or brings the file back: callers
 * get 503, and the server serves again by itself.
 */
export function storageFaultOf(error: unknown): StorageFault | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const fault = faultOf(current);
    if (fault) return fault;
    current = current.cause;
  }
  return undefined;
}

function faultOf(error: Error): StorageFault | undefined {
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof code === "string") {
    if (code.startsWith("SQLITE_")) return sqliteFault(code);
    const fault = postgresFaults.get(code) ?? systemFaults.get(code);
    if (fault) return fault;
  }
  if (typeof errno === "number" && errno >= 1000) {
    const quotesNoSpace = /errno:? 28\b|Errcode: 28\b|error 28\b|No space left/i.test(error.message);
    if (mariadbGeneric.has(errno)) {
      if (quotesNoSpace) return "disk-full";
      return /read[-_ ]only/i.test(error.message) ? "read-only" : undefined;
    }
    const fault = mariadbFaults.get(errno);
    if (fault === "io-error" && quotesNoSpace) return "disk-full";
    return fault;
  }
  return undefined;
}

/**
 * SQLite's primary codes (better-sqlite3 names extended codes in full, `SQLITE_IOERR_WRITE`).
 * SQLITE_READONLY_DBMOVED is also what the driver reports when the file it opened was moved,
 * replaced or removed (dialects/sqlite-connection.ts).
 */
function sqliteFault(code: string): StorageFault | undefined {
  if (code === "SQLITE_FULL") return "disk-full";
  if (code === "SQLITE_NOMEM") return "out-of-memory";
  if (code === "SQLITE_READONLY_DBMOVED" || code.startsWith("SQLITE_CANTOPEN")) return "file-missing";
  if (code.startsWith("SQLITE_READONLY")) return "read-only";
  if (code.startsWith("SQLITE_IOERR")) return "io-error";
  return undefined;
}
