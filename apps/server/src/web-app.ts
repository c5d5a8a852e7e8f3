import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { sendStaticFile } from "./static-file.ts";

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
 * extension (`/users/3`) gets index.html and the app's router takes it from there. Each request
 * looks at the folder as it is then, so a rebuild while the server runs needs no restart.
 *
 * Its few files are sent by static-file.ts rather than @fastify/static, whose dependencies
 * (glob, send, mime) took about 10 ms of every server process's start.
 */
export const webApp: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const root = options.root ?? defaultRoot;

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split("?")[0] ?? "/";
    if (isReserved(path)) return reply.callNotFound();
    if (extname(path) !== "") {
      // Vite names every asset by its content hash, so a cached copy never goes stale.
      const cacheControl = path.startsWith("/assets/")
        ? "public, max-age=31536000, immutable"
        : "public, max-age=0";
      return sendStaticFile(request, reply, { root, path, cacheControl });
    }
    if (!existsSync(`${root}/index.html`)) {
      return reply.code(503).type("text/html; charset=utf-8").send(notBuilt);
    }
    // index.html names the current hashed bundle: always revalidate it.
    return sendStaticFile(request, reply, { root, path: "/index.html", cacheControl: "no-cache" });
  }

  app.get("/", serve);
  app.get("/*", serve);
};
