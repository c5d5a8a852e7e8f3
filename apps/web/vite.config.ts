import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { apiTarget, serverProxy } from "./dev-proxy.ts";

/** Vite's port in `npm run dev`: `WEB_PORT`, else 5173 (the next free one if that is taken). */
const webPort = process.env.WEB_PORT ? Number(process.env.WEB_PORT) : undefined;

export default defineConfig({
  plugins: [react()],
  server: {
    port: webPort ?? 5173,
    // A port asked for by name is that port or an error, never a neighbour nobody is told about.
    strictPort: webPort !== undefined,
    proxy: serverProxy(apiTarget()),
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
