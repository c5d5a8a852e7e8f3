import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { accessSync, chownSync, constants, copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOrm } from "@app/db";
import { freePort } from "./free-port.ts";

/**
 * A MariaDB server of this test's own, in a scratch folder: for faults that may take the whole
 * database server down (InnoDB aborts when it cannot grow a table's file, see
 * storage-faults.test.ts), which must never hit the server the other suites share.
 */
export type PrivateMariaDb = {
  /** Its data directory (MariaDB's `datadir`): a database's folder is `join(datadir, name)`. */
  datadir: string;
  /** `mysql://root@127.0.0.1:<port>/<database>`. */
  url(database: string): string;
  /** Creates database `name` with its folder (its tables' files) in `dir`, which mysql owns. */
  createDatabaseIn(name: string, dir: string): Promise<void>;
  /** Whether its process is running (it may have aborted). */
  readonly running: boolean;
  /** Starts it again after it stopped, as its supervisor would; resolves once it answers. */
  start(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

const binaries = ["/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"];

/** Why a private MariaDB cannot run here (not installed, not root), or undefined when it can. */
export function privateMariaDbUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "a private MariaDB server needs root (it runs as the mysql user)";
  try {
    execFileSync("id", ["-u", "mysql"], { stdio: "ignore" });
    for (const binary of binaries) accessSync(binary, constants.X_OK);
  } catch {
    return `MariaDB's server is not installed here (${binaries.join(", ")} and a mysql user)`;
  }
  return undefined;
}

/** Creates and starts a private MariaDB server on a free port (about 5 s). */
export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const folder = mkdtempSync(join(tmpdir(), "private-mariadb-"));
  chownSync(folder, uid("mysql"), uid("mysql", "-g"));
  const datadir = join(folder, "data");
  execFileSync(
    "/usr/bin/mariadb-install-db",
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      "--user=mysql",
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ],
    { stdio: "ignore" },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    child = spawn(
      "/usr/sbin/mariadbd",
      [
        "--no-defaults",
        `--datadir=${datadir}`,
        "--user=mysql",
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--socket=${join(folder, "mysqld.sock")}`,
        `--pid-file=${join(folder, "mysqld.pid")}`,
        `--log-error=${join(folder, "error.log")}`,
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
      ],
      { stdio: "ignore" },
    );
    const current = child;
    exited = new Promise((resolve) => current.once("exit", resolve));
    await answering(`mysql://root@127.0.0.1:${port}/mysql`);
  };
  await start();
  const url = (database: string) => `mysql://root@127.0.0.1:${port}/${database}`;
  return {
    datadir,
    url,
    async createDatabaseIn(name, dir) {
      const orm = await createOrm({ url: url("mysql"), poolMax: 1 });
      try {
        await orm.em.fork().execute(`create database ${name}`);
      } finally {
        await orm.close(true);
      }
      // Empty yet but for its options file: move that, and link the folder to `dir`.
      const folder = join(datadir, name);
      copyFileSync(join(folder, "db.opt"), join(dir, "db.opt"));
      chownSync(join(dir, "db.opt"), uid("mysql"), uid("mysql", "-g"));
      rmSync(folder, { recursive: true });
      symlinkSync(dir, folder);
    },
    get running() {
      return child?.exitCode === null && child.signalCode === null;
    },
    start,
    async [Symbol.asyncDispose]() {
      if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Waits until a MariaDB server at `url` answers a query (up to 30 s). */
async function answering(url: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      const orm = await createOrm({ url, poolMax: 1, connectTimeoutMs: 1_000 });
      try {
        await orm.em.fork().execute("select 1");
        return;
      } finally {
        await orm.close(true);
      }
    } catch (error) {
      if (Date.now() - started > 30_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function uid(user: string, flag: "-u" | "-g" = "-u"): number {
  return Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
}
