import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createOrm, type Orm } from "@app/db";
import { adminUrls, createScratchDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/harness.ts";
import { privateMariaDbUnavailable, startPrivateMariaDb } from "./support/private-mariadb.ts";
import { mountTmpfs, type Tmpfs, tmpfsUnavailable } from "./support/tmpfs.ts";

/**
 * Storage that fails under a running server (a full disk, a read-only file system, the database
 * file moved away or replaced) must answer 503 with a message saying what is wrong, write nothing
 * of the failed call, and heal by itself once the fault is put right: no restart. Before, under
 * SQLite, the first commit that failed on a full disk answered 500 and every later call touching
 * the database, /health included, waited forever.
 *
 * Real faults, on a small tmpfs mounted for each test (which needs root: skipped otherwise).
 */

/** Longest any answer may take during a fault: the old failure was no answer at all. */
const answerWithinMs = 10_000;

const messages = {
  diskFull: "The database cannot write right now: its disk is full; try again later",
  readOnly: "The database cannot write right now: its storage is read-only; try again later",
  missing: "The database is unavailable right now: its file is missing or was moved; try again later",
  unreachable: "The database is busy or unreachable right now; try again shortly",
};

type Answer = { status: number; message: string | undefined };

/** One HTTP call as the admin; fails the test when no answer comes within `answerWithinMs`. */
async function call(server: TestServer, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = {
    headers: { ...server.adminHeaders, "content-type": "application/json" },
    signal: AbortSignal.timeout(answerWithinMs),
  };
  if (body !== undefined) Object.assign(init, { method: "POST", body: JSON.stringify(body) });
  const response = await fetch(`${server.url}${path}`, init).catch((error: unknown) => {
    throw new Error(`${path}: no answer within ${answerWithinMs} ms (${String(error)})`);
  });
  const json: unknown = await response.json();
  const error = typeof json === "object" && json !== null ? Reflect.get(json, "error") : undefined;
  const message = typeof error === "object" && error !== null ? Reflect.get(error, "message") : undefined;
  return { status: response.status, message: typeof message === "string" ? message : undefined };
}

let created = 0;
/** `users.create` (a transaction opened after hashing nothing: the deferred unit of work). */
const createUser = (server: TestServer) =>
  call(server, "/trpc/users.create", { name: `U${++created}`, email: `u${created}@example.com` });
/** `items.create` (the ordinary unit of work: one transaction around the whole call). */
const createItem = (server: TestServer) =>
  call(server, "/trpc/items.create", { userId: server.admin.id, title: `Item ${++created}` });
/** REST's `POST /api/users/`, which answers with the same codes and messages. */
const createUserOverRest = (server: TestServer) =>
  call(server, "/api/users/", { name: `R${++created}`, email: `r${created}@example.com` });
const listUsers = (server: TestServer) => call(server, "/trpc/users.list");
const health = (server: TestServer) => call(server, "/health");

/** Rows in each table a create writes to: users, items, and the change log. */
async function rowCounts(orm: Orm): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ["users", "items", "changes"]) {
    const rows: { n: number | string }[] = await orm.em.fork().execute(`select count(*) as n from ${table}`);
    counts[table] = Number(rows[0]?.n);
  }
  return counts;
}

/**
 * Creates users until the storage refuses one and returns that answer and how many were written
 * first: a table may still have room in a page it has (PostgreSQL), which a write then fills.
 */
async function writeUntilRefused(server: TestServer): Promise<{ refused: Answer; written: number }> {
  for (let written = 0; written < 500; written++) {
    const answer = await createUser(server);
    if (answer.status !== 200) return { refused: answer, written };
  }
  throw new Error("500 writes and none refused: the storage is not full");
}

/** Writes refused the same way through each door: both units of work and REST, and again. */
async function expectWritesRefused(server: TestServer, message: string): Promise<void> {
  expect(await createUser(server)).toEqual({ status: 503, message });
  expect(await createItem(server)).toEqual({ status: 503, message });
  expect(await createUserOverRest(server)).toEqual({ status: 503, message });
  // Again: the first failure used to wedge the connection for good.
  expect(await createUser(server)).toEqual({ status: 503, message });
}

async function expectWritesWork(server: TestServer): Promise<void> {
  expect((await createUser(server)).status).toBe(200);
  expect((await createItem(server)).status).toBe(200);
  expect((await createUserOverRest(server)).status).toBe(201);
}

const mountProblem = tmpfsUnavailable();
if (mountProblem) console.warn(`[skipped] storage faults: ${mountProblem}`);

(mountProblem ? describe.skip : describe)("storage faults [sqlite]", { timeout: 60_000 }, () => {
  /** A server whose SQLite file lives on `disk`. */
  const startOn = (disk: Tmpfs) => startTestServer({ DATABASE_URL: `sqlite:${join(disk.dir, "app.db")}` });

  it("a full disk: writes answer 503 and change nothing, reads go on, and writes work again once there is room", async () => {
    using disk = mountTmpfs({ size: "16m" });
    await using server = await startOn(disk);
    await expectWritesWork(server);
    // An empty write-ahead log, as after a quiet spell: the next write needs room for it.
    await server.orm.em.fork().execute("pragma wal_checkpoint(truncate)");
    const before = await rowCounts(server.orm);

    disk.fill();
    // The first write after the disk filled up: nothing else has room to spare.
    expect(await writeUntilRefused(server)).toEqual({
      refused: { status: 503, message: messages.diskFull },
      written: 0,
    });
    await expectWritesRefused(server, messages.diskFull);
    expect(await rowCounts(server.orm)).toEqual(before);
    expect((await listUsers(server)).status).toBe(200);
    expect((await health(server)).status).toBe(200);

    disk.resize("64m");
    await expectWritesWork(server);
    expect((await health(server)).status).toBe(200);
    const after = await rowCounts(server.orm);
    expect(after.users).toBe((before.users ?? 0) + 2);
    expect(after.items).toBe((before.items ?? 0) + 1);
  });

  it("the database file moved away: 503 until it is back, then it serves by itself with every row", async () => {
    using disk = mountTmpfs({ size: "16m" });
    await using server = await startOn(disk);
    await expectWritesWork(server);
    const before = await rowCounts(server.orm);
    const file = join(disk.dir, "app.db");

    renameSync(file, `${file}.away`);
    // SQLite itself would go on writing into the file that is no longer at its path.
    await expectWritesRefused(server, messages.missing);
    expect(await listUsers(server)).toEqual({ status: 503, message: messages.missing });
    expect((await health(server)).status).toBe(503);
    // Not recreated empty meanwhile.
    expect(existsSync(file)).toBe(false);

    renameSync(`${file}.away`, file);
    expect((await listUsers(server)).status).toBe(200);
    expect(await rowCounts(server.orm)).toEqual(before);
    await expectWritesWork(server);
    expect((await health(server)).status).toBe(200);
  });

  it("the database file removed, then restored from a backup: 503 meanwhile, then the backup's rows", async () => {
    using disk = mountTmpfs({ size: "16m" });
    await using server = await startOn(disk);
    await expectWritesWork(server);
    const file = join(disk.dir, "app.db");
    const backup = join(disk.dir, "backup.db");
    await server.orm.em.fork().execute(`vacuum into '${backup}'`);
    const backedUp = await rowCounts(server.orm);
    await expectWritesWork(server);

    rmSync(file);
    await expectWritesRefused(server, messages.missing);
    expect((await health(server)).status).toBe(503);

    renameSync(backup, file);
    expect(await rowCounts(server.orm)).toEqual(backedUp);
    await expectWritesWork(server);
    expect((await health(server)).status).toBe(200);
  });

  it("a read-only file system: 503 until it is writable again, then it serves by itself", async () => {
    using disk = mountTmpfs({ size: "16m" });
    await using server = await startOn(disk);
    await expectWritesWork(server);
    const before = await rowCounts(server.orm);
    const file = join(disk.dir, "app.db");

    // Linux refuses to make a file system read-only while a file on it is open for writing, and
    // the server holds its database open. It lets go when it finds the file moved: put it back
    // and remount before the next call opens it again (retried, should a call slip in between).
    for (let attempt = 1; ; attempt++) {
      renameSync(file, `${file}.away`);
      expect((await createUser(server)).status).toBe(503);
      renameSync(`${file}.away`, file);
      try {
        disk.remount("ro");
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await expectWritesRefused(server, messages.readOnly);
    // Reads go on: SQLite reads a read-only file as long as its `-shm` file is there.
    expect((await listUsers(server)).status).toBe(200);
    expect((await health(server)).status).toBe(200);

    disk.remount("rw");
    expect((await listUsers(server)).status).toBe(200);
    expect(await rowCounts(server.orm)).toEqual(before);
    await expectWritesWork(server);
    expect((await health(server)).status).toBe(200);
  });
});

/**
 * PostgreSQL: the test database's tables in a tablespace on the tmpfs. Only where the database
 * server runs on this machine (it must see the folder) as the `postgres` user.
 */
async function postgresProblem(): Promise<string | undefined> {
  if (mountProblem) return mountProblem;
  const tested = (await testedDialects()).find(({ dialect }) => dialect === "postgresql");
  if (!tested) return "PostgreSQL is not among TEST_DATABASES";
  if (tested.skip) return tested.skip;
  const rows = await withAdmin(adminUrls.postgresql, (admin) =>
    admin.em.fork().execute("show data_directory"),
  );
  const dataDirectory = String(rows[0]?.data_directory);
  if (!existsSync(dataDirectory)) return `PostgreSQL does not run on this machine (no ${dataDirectory} here)`;
  return undefined;
}

async function withAdmin<T>(url: string, fn: (admin: Orm) => Promise<T>): Promise<T> {
  const admin = await createOrm({ url, poolMax: 1 });
  try {
    return await fn(admin);
  } finally {
    await admin.close(true);
  }
}

const pgProblem = await postgresProblem();
if (pgProblem) console.warn(`[skipped] storage faults [postgresql]: ${pgProblem}`);

(pgProblem ? describe.skip : describe)("storage faults [postgresql]", { timeout: 60_000 }, () => {
  it("a full tablespace: writes answer 503 and change nothing, reads go on, and writes work again once it grows", async () => {
    using disk = mountTmpfs({ size: "4m", owner: "postgres" });
    const tablespace = `faults_${process.pid}_${Date.now()}`;
    await withAdmin(adminUrls.postgresql, (admin) =>
      admin.em.fork().execute(`create tablespace ${tablespace} location '${disk.dir}'`),
    );
    try {
      await using database = await createScratchDatabase("postgresql");
      const name = new URL(database.url).pathname.slice(1);
      // Every table the migrations create goes to the tmpfs; the catalogs stay where they are.
      await withAdmin(adminUrls.postgresql, (admin) =>
        admin.em.fork().execute(`alter database ${name} set default_tablespace = ${tablespace}`),
      );
      {
        await using server = await startTestServer({ DATABASE_URL: database.url });
        await expectWritesWork(server);
        const before = await rowCounts(server.orm);

        disk.fill();
        const { refused, written } = await writeUntilRefused(server);
        expect(refused).toEqual({ status: 503, message: messages.diskFull });
        // The refused write, and every one after it, wrote nothing.
        expect(await createUser(server)).toEqual(refused);
        expect(await createUserOverRest(server)).toEqual(refused);
        expect(await rowCounts(server.orm)).toEqual({
          ...before,
          users: (before.users ?? 0) + written,
          changes: (before.changes ?? 0) + written,
        });
        expect((await listUsers(server)).status).toBe(200);
        expect((await health(server)).status).toBe(200);

        disk.resize("64m");
        await expectWritesWork(server);
        expect((await health(server)).status).toBe(200);
      }
    } finally {
      // The scratch database is dropped by now (its `await using` ended): the tablespace is empty.
      await withAdmin(adminUrls.postgresql, (admin) =>
        admin.em.fork().execute(`drop tablespace if exists ${tablespace}`),
      );
    }
  });
});

/**
 * MariaDB: the test database's folder in its data directory is a link to the tmpfs. InnoDB then
 * refuses a row it has no room for (ER_RECORD_FILE_FULL, 1114: "The table 'users' is full"), but
 * MariaDB 10.11 may also abort, the whole database server with it, when rolling back a statement
 * of many rows needs room ("[FATAL] InnoDB: Error (Out of disk space) in rollback"): tried on the
 * shared server, it took it down. So this runs on a MariaDB server of its own, restarted once
 * there is room should it abort, as its supervisor would; the server under test must heal by itself.
 */
const mariadbProblem = mountProblem ?? privateMariaDbUnavailable();
if (mariadbProblem) console.warn(`[skipped] storage faults [mariadb]: ${mariadbProblem}`);

(mariadbProblem ? describe.skip : describe)("storage faults [mariadb]", { timeout: 90_000 }, () => {
  it("a full disk: writes answer 503 and change nothing, and it serves again by itself once there is room", async () => {
    await using mariadb = await startPrivateMariaDb();
    using disk = mountTmpfs({ size: "2m", owner: "mysql" });
    const name = "faults";
    await mariadb.createDatabaseIn(name, disk.dir);

    await using server = await startTestServer({
      DATABASE_URL: mariadb.url(name),
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
    });
    await expectWritesWork(server);
    const before = await rowCounts(server.orm);

    disk.fill();
    const { refused, written } = await writeUntilRefused(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const crashed = !mariadb.running;
    console.log(
      JSON.stringify({ mariadb: crashed ? "aborted on the full disk" : "refused the write", written }),
    );
    if (crashed) {
      // Refused as it went down, then unreachable until it is back.
      expect(refused.status).toBe(503);
      expect([messages.diskFull, messages.unreachable]).toContain(refused.message);
      expect(await createUser(server)).toEqual({ status: 503, message: messages.unreachable });
      expect((await health(server)).status).toBe(503);
    } else {
      expect(refused).toEqual({ status: 503, message: messages.diskFull });
      expect(await createUser(server)).toEqual(refused);
      expect(await createUserOverRest(server)).toEqual(refused);
      expect((await listUsers(server)).status).toBe(200);
      expect((await health(server)).status).toBe(200);
    }

    disk.resize("64m");
    if (crashed) await mariadb.start();
    // The pool opens fresh connections by itself; the first calls may still meet a dead one.
    const started = Date.now();
    while ((await createUser(server)).status !== 200) {
      if (Date.now() - started > 15_000) throw new Error("writes did not work again within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await health(server)).status).toBe(200);
    // The refused write left nothing behind (InnoDB rolled it back when it started again).
    const after = await rowCounts(server.orm);
    expect(after.users).toBe((before.users ?? 0) + written + 1);
    expect(after.changes).toBe((before.changes ?? 0) + written + 1);
  });
});
