import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The API `pnpm dev` proxies to: the server's default address, or API_URL. */
const apiUrl = process.env.API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { "/trpc": apiUrl, "/health": apiUrl },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
