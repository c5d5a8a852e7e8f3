import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

/** Paths other plugins own: never answered with the web app, even when nothing matched them. */
const reservedPrefixes = ["/trpc", "/api", "/health", "/docs", "/redoc", "/openapi.json", "/metrics"];

const defaultRoot = fileURLToPath(new URL("../../web/dist/", import.meta.url));

export type WebAppOptions = {
  /** The built app's folder; `apps/web/dist` by default. */
  root?: string;
};

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Web app not built</title>
<h1>The web app is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it first), then reload.
The API is up: <a href="/health">/health</a>, <code>/trpc</code>.</p>`;

function isReserved(path: string): boolean {
  return reservedPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Serves the built web app (apps/web/dist) at `/`, deep links included: a path without a file
 * extension (`/users/3`) gets index.html and the app's router takes it from there.
 */
export const webApp: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const root = options.root ?? defaultRoot;
  // serve: false: one route of ours below decides between a file, index.html and a 404, so a
  // rebuild while the server runs needs no restart (the default serves only files seen at start).
  await app.register(fastifyStatic, { root, serve: false });

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split("?")[0] ?? "/";
    if (isReserved(path)) return reply.callNotFound();
    if (extname(path) !== "") {
      // Vite names every asset by its content hash, so a cached copy never goes stale.
      const immutable = path.startsWith("/assets/");
      return reply.sendFile(path, immutable ? { immutable: true, maxAge: "1y" } : {});
    }
    if (!existsSync(`${root}/index.html`)) {
      return reply.code(503).type("text/html; charset=utf-8").send(notBuilt);
    }
    // index.html names the current hashed bundle: always revalidate it.
    return reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });
  }

  app.get("/", serve);
  app.get("/*", serve);
};
