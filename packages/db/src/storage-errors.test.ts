import { DriverException } from "@mikro-orm/core";
import { describe, expect, it } from "vitest";
import { storageFaultOf } from "./storage-errors.ts";
import { isTransientDatabaseError } from "./transient-errors.ts";

/** An error as each driver shapes it: better-sqlite3 and `pg` set `code`, mysql2 `errno` too. */
const driverError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

/**
 * The faults the storage tests cannot all bring about on this machine (an I/O error, a standby
 * PostgreSQL, MariaDB's read-only modes), named by the codes each database documents. The ones
 * they can (a full disk on all three, a read-only file system and a vanished file under SQLite)
 * are in apps/server/test/storage-faults.test.ts.
 */
describe("storageFaultOf", () => {
  it.each([
    ["SQLite: disk full", { code: "SQLITE_FULL" }, "disk-full"],
    ["SQLite: a write failed", { code: "SQLITE_IOERR_WRITE" }, "io-error"],
    ["SQLite: an fsync failed", { code: "SQLITE_IOERR_FSYNC" }, "io-error"],
    ["SQLite: a file opened read-only", { code: "SQLITE_READONLY" }, "read-only"],
    ["SQLite: a read-only folder", { code: "SQLITE_READONLY_DIRECTORY" }, "read-only"],
    ["SQLite: the file moved while open", { code: "SQLITE_READONLY_DBMOVED" }, "file-missing"],
    ["SQLite: the file cannot be opened", { code: "SQLITE_CANTOPEN" }, "file-missing"],
    ["PostgreSQL: disk_full", { code: "53100" }, "disk-full"],
    ["PostgreSQL: out_of_memory", { code: "53200" }, "out-of-memory"],
    ["PostgreSQL: io_error", { code: "58030" }, "io-error"],
    ["PostgreSQL: read_only_sql_transaction", { code: "25006" }, "read-only"],
    ["MariaDB: ER_DISK_FULL", { code: "ER_DISK_FULL", errno: 1021 }, "disk-full"],
    ["MariaDB: ER_RECORD_FILE_FULL", { code: "ER_RECORD_FILE_FULL", errno: 1114 }, "disk-full"],
    ["MariaDB: ER_OPEN_AS_READONLY", { code: "ER_OPEN_AS_READONLY", errno: 1036 }, "read-only"],
    ["MariaDB: ER_READ_ONLY_MODE", { code: "ER_READ_ONLY_MODE", errno: 1836 }, "read-only"],
    ["MariaDB: ER_ERROR_ON_WRITE", { code: "ER_ERROR_ON_WRITE", errno: 1026 }, "io-error"],
    ["MariaDB: ER_OUT_OF_RESOURCES", { code: "ER_OUT_OF_RESOURCES", errno: 1041 }, "out-of-memory"],
    ["a file the server writes itself", { code: "ENOSPC", errno: -28 }, "disk-full"],
  ])("%s", (_name, fields, fault) => {
    expect(storageFaultOf(driverError("the driver's message", fields))).toBe(fault);
  });

  it("reads MariaDB's generic errors by the operating system's error they quote", () => {
    const onWrite = driverError(
      `Error writing file './app/users.ibd' (Errcode: 28 "No space left on device")`,
      {
        errno: 1026,
      },
    );
    expect(storageFaultOf(onWrite)).toBe("disk-full");
    const readOnly = driverError(
      "The MariaDB server is running with the --read-only option so it cannot execute this statement",
      {
        errno: 1290,
      },
    );
    expect(storageFaultOf(readOnly)).toBe("read-only");
    const otherOption = driverError("The MariaDB server is running with the --secure-file-priv option", {
      errno: 1290,
    });
    expect(storageFaultOf(otherOption)).toBeUndefined();
  });

  it("finds the fault behind the ORM's exception and a wrapping error", () => {
    const converted = new DriverException(driverError("database or disk is full", { code: "SQLITE_FULL" }));
    expect(storageFaultOf(new Error("the call failed", { cause: converted }))).toBe("disk-full");
  });

  it("leaves every other error alone: a busy database is not a storage fault, nor a bug", () => {
    for (const fields of [
      { code: "SQLITE_BUSY" },
      { code: "SQLITE_CONSTRAINT_UNIQUE" },
      { code: "57014" },
      { code: "23505" },
      { code: "ER_DUP_ENTRY", errno: 1062 },
      { code: "ECONNREFUSED", errno: -111 },
    ]) {
      expect(storageFaultOf(driverError("message", fields))).toBeUndefined();
    }
    expect(storageFaultOf(new Error("no code"))).toBeUndefined();
    expect(storageFaultOf("not an error")).toBeUndefined();
  });

  it("is distinct from the busy class, which still answers its own 503", () => {
    expect(isTransientDatabaseError(driverError("database is locked", { code: "SQLITE_BUSY" }))).toBe(true);
    expect(storageFaultOf(driverError("database is locked", { code: "SQLITE_BUSY" }))).toBeUndefined();
  });
});
