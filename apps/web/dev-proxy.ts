import type { ProxyOptions } from "vite";

/**
 * Every path the server answers itself rather than with the web app: what `npm run dev` proxies
 * from Vite's port to the server. The server keeps the same list, as the paths its web-app route
 * never answers (`reservedPrefixes` in apps/server/src/web-app.ts). The dev loop's test
 * (e2e/dev-loop.e2e.test.ts) fails when the server has a route under a first path segment missing
 * here, and when a path here is not answered by the server's own route.
 */
export const serverPaths = [
  "/trpc",
  "/api",
  "/docs",
  "/redoc",
  "/openapi.json",
  "/health",
  "/metrics",
] as const;

type Env = Record<string, string | undefined>;

/**
 * Where the server listens: `API_URL` when set (a server elsewhere), else the server's own
 * `HOST` and `PORT` with their defaults, so a `PORT` in `.env` moves both at once. A wildcard
 * host (`0.0.0.0`, `::`) is reached on the loopback address.
 */
export function apiTarget(env: Env = process.env): string {
  if (env.API_URL) return env.API_URL;
  const host = env.HOST && env.HOST !== "0.0.0.0" && env.HOST !== "::" ? env.HOST : "127.0.0.1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${env.PORT || "8000"}`;
}

/**
 * Vite's proxy table for the server's paths: each path itself and everything under it
 * (`/api/users/3`, `/health/ready`), never a longer name (`/apiary`, `/docs-old`).
 */
export function serverProxy(target: string): Record<string, ProxyOptions> {
  const literal = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return Object.fromEntries(
    serverPaths.map((path) => [
      `^${literal(path)}(?:[/?]|$)`,
      // changeOrigin false (Vite's string shorthand sets it true): the server must see the page's
      // own Host, or it takes the page's Origin for a foreign one and refuses every mutation
      // signed in by cookie (403, its CSRF defence), sign-in and sign-up first of all.
      // Server-sent events (/trpc subscriptions, /api/changes/stream) pass through as each event
      // comes: the proxy pipes the response unbuffered (e2e/dev-proxy and e2e/dev-loop check it).
      { target, changeOrigin: false },
    ]),
  );
}
