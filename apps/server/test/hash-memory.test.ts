import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import nodeEnv from "../../../scripts/node-env.json" with { type: "json" };
import { startServerProcess } from "./support/server-process.ts";

const linux = process.platform === "linux";

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) / 1024;
}

// Every password hash takes 19 MiB (argon2id at OWASP's minimum) on one of libuv's four threads.
// With glibc's default malloc the first freed hash raises its mmap threshold, and every later
// hash's memory stays in its thread's arena: 76 MB of RSS for good after four concurrent
// sign-ups. npm start runs the server with scripts/node-env.json, which fixes the threshold.
describe.runIf(linux)("password hashing memory", () => {
  it("gives each hash's memory back: RSS does not grow with sign-ups, as npm start runs it", async () => {
    const folder = mkdtempSync(join(tmpdir(), "hash-memory-"));
    try {
      await using server = await startServerProcess({
        ...nodeEnv,
        DATABASE_URL: `sqlite:${join(folder, "app.db")}`,
      });
      const pid = server.child.pid ?? 0;
      let next = 0;
      const signUp = async () => {
        next++;
        const response = await fetch(`${server.url}/trpc/auth.signUp`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: `User ${next}`,
            email: `user${next}@example.com`,
            password: "correct horse",
          }),
        });
        expect(response.status).toBe(200);
      };
      // Warm: the code paths compiled, every hashing thread started.
      await Promise.all([signUp(), signUp(), signUp(), signUp()]);
      const before = rssMb(pid);
      for (let wave = 0; wave < 3; wave++) await Promise.all([signUp(), signUp(), signUp(), signUp()]);
      // Without the setting this grew by 57–76 MB (three or four threads keeping 19 MiB each).
      expect(rssMb(pid) - before).toBeLessThan(25);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
