import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The API `pnpm dev` proxies to: the server's default address, or API_URL. */
const apiUrl = process.env.API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    // changeOrigin false (Vite's string shorthand sets it true): the server must see the page's own
    // Host, or it takes the page's Origin for a foreign one and refuses every mutation signed in
    // by cookie (403, its CSRF defence), sign-in and sign-up first of all.
    proxy: {
      "/trpc": { target: apiUrl, changeOrigin: false },
      "/health": apiUrl,
    },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
