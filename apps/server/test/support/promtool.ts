import { spawnSync } from "node:child_process";

/**
 * Whether `promtool` (Debian's `prometheus` package) is installed. CI installs it and sets
 * REQUIRE_PROMTOOL=1 (.ci/run), so that a missing promtool fails there rather than skipping.
 */
export const promtool = spawnSync("promtool", ["--version"]).error === undefined;
if (!promtool) {
  const reason = "promtool is not installed (apt-get install --no-install-recommends prometheus)";
  if (process.env.REQUIRE_PROMTOOL === "1") throw new Error(reason);
  console.warn(`[skipped] the promtool check: ${reason}; set REQUIRE_PROMTOOL=1 to fail instead`);
}

/** `promtool check metrics` on `text`: its exit status and what it printed (nothing when all is well). */
export function checkMetrics(text: string): { status: number | null; output: string } {
  const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  return { status: check.status, output: `${check.stdout}${check.stderr}` };
}
