import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// Component and hook tests only; the browser suite in e2e/ has its own config (vitest.e2e.config.ts)
// because it needs Chromium and a built app.
export default defineProject({
  plugins: [react()],
  test: {
    name: "web",
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
