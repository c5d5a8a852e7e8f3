import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Real headless Chromium against the built app served by the real server (see e2e/browser.ts).
export default defineConfig({
  test: {
    name: "web-e2e",
    // So the suite runs the same from the repo root (.ci/run) as from apps/web.
    root: fileURLToPath(new URL(".", import.meta.url)),
    environment: "node",
    include: ["e2e/**/*.e2e.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
