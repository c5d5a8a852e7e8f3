import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const toolchain = fileURLToPath(new URL("../../../scripts/toolchain.mjs", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "dotenv-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** `npm run cli -- users list` through the toolchain, reading the given file as `.env`. */
function cliWith(dotEnv: string, env: Record<string, string> = {}) {
  const file = join(folder, `${Math.random().toString(36).slice(2)}.env`);
  writeFileSync(file, dotEnv);
  const { API_URL: _ignored, ...inherited } = process.env;
  return spawnSync(process.execPath, [toolchain, "cli", "users", "list"], {
    env: { ...inherited, DOTENV_CONFIG_PATH: file, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe(".env", () => {
  it("sets what the environment does not, names what it applied and never prints a value", () => {
    const result = cliWith(
      '# the CLI\'s server\nAPI_URL="http://127.0.0.1:9"\nSECRET_THING=hunter2 # a comment\n',
    );
    expect(result.stderr).toContain(": API_URL, SECRET_THING applied");
    expect(result.stderr).toContain("The server at http://127.0.0.1:9 failed");
    expect(result.stderr + result.stdout).not.toContain("hunter2");
  });

  it("reads a file saved with a byte-order mark (Windows editors) from its first variable", () => {
    const result = cliWith("\uFEFFAPI_URL=http://127.0.0.1:9\r\nLOG_LEVEL=info\r\n");
    expect(result.stderr).toContain(": API_URL, LOG_LEVEL applied");
    expect(result.stderr).toContain("The server at http://127.0.0.1:9 failed");
  });

  it("loses to a variable already set in the environment", () => {
    const result = cliWith("API_URL=http://127.0.0.1:9\n", { API_URL: "http://127.0.0.1:7" });
    expect(result.stderr).toContain("API_URL already set in the environment, kept");
    expect(result.stderr).toContain("The server at http://127.0.0.1:7 failed");
  });
});
