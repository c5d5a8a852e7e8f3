import { describe } from "vitest";
import type { Dialect } from "../database-url.ts";
import { unavailableReason } from "./scratch-database.ts";

const allDialects: Dialect[] = ["sqlite", "postgresql", "mariadb"];

/**
 * The dialects this run tests: TEST_DATABASES (comma-separated) or all three. A server database
 * that is not reachable is skipped with a printed reason, unless REQUIRE_TEST_DATABASES=1 (CI),
 * which turns that into a failure.
 */
export async function testedDialects(): Promise<{ dialect: Dialect; skip?: string }[]> {
  const wanted = (process.env.TEST_DATABASES?.split(",").map((d) => d.trim()) ?? allDialects).filter(
    (d): d is Dialect => allDialects.includes(d as Dialect),
  );
  return Promise.all(
    wanted.map(async (dialect) => {
      const reason = await unavailableReason(dialect);
      if (!reason) return { dialect };
      if (process.env.REQUIRE_TEST_DATABASES === "1") throw new Error(reason);
      console.warn(`[skipped] ${reason}; set REQUIRE_TEST_DATABASES=1 to fail instead`);
      return { dialect, skip: reason };
    }),
  );
}

/**
 * Registers the same suite once per tested database, named `<name> [<dialect>]`.
 * @example describeEachDatabase("users over HTTP", (dialect) => { it("…", async () => { … }) })
 */
export async function describeEachDatabase(name: string, suite: (dialect: Dialect) => void): Promise<void> {
  for (const { dialect, skip } of await testedDialects()) {
    (skip ? describe.skip : describe)(`${name} [${dialect}]`, () => suite(dialect));
  }
}
