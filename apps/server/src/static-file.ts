import { createReadStream, type Stats, stat } from "node:fs";
import { extname, join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The types of what a web build holds (Vite writes HTML, scripts, styles, images and fonts);
 * anything else is sent as bytes. Text is UTF-8, as Vite writes it.
 */
const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/vnd.microsoft.icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
};

export type StaticFile = {
  /** The folder served. */
  root: string;
  /** The request's path, still percent-encoded: `/assets/index-abc123.js`. */
  path: string;
  /** Its `cache-control` header. */
  cacheControl: string;
};

/**
 * Sends the file at `path` under `root`, with an ETag and Last-Modified by which a browser
 * revalidates it (304 when unchanged); a path that is not a file there is the app's 404. Only
 * plain paths are looked up: one with a `.` or `..` segment, an empty segment, a backslash or a
 * NUL is never taken for a file, so nothing outside `root` can be named.
 */
export async function sendStaticFile(
  request: FastifyRequest,
  reply: FastifyReply,
  { root, path, cacheControl }: StaticFile,
): Promise<FastifyReply> {
  const file = fileUnder(root, path);
  const stats = file === undefined ? undefined : await statOrUndefined(file);
  if (file === undefined || !stats?.isFile()) {
    reply.callNotFound();
    return reply;
  }
  // What @fastify/send, which served these files before, sends: the same validators keep
  // browsers' cached copies valid across the change.
  const etag = `W/"${stats.size.toString(16)}-${stats.mtime.getTime().toString(16)}"`;
  reply.header("cache-control", cacheControl);
  reply.header("etag", etag);
  reply.header("last-modified", stats.mtime.toUTCString());
  if (isNotModified(request, etag, stats.mtime)) return reply.code(304).send();
  reply.type(contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream");
  reply.header("content-length", stats.size);
  return reply.send(createReadStream(file));
}

/** The file a URL path names under `root`, or undefined if it is not a plain path. */
function fileUnder(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.split("/").slice(1);
  const plain = (segment: string) =>
    segment !== "" && segment !== "." && segment !== ".." && !/[\\\0]/.test(segment);
  return decoded.startsWith("/") && segments.every(plain) ? join(root, ...segments) : undefined;
}

function statOrUndefined(file: string): Promise<Stats | undefined> {
  return new Promise((resolve) => stat(file, (error, stats) => resolve(error ? undefined : stats)));
}

/** RFC 9110's If-None-Match (weak comparison), else If-Modified-Since; a reload's no-cache asks afresh. */
function isNotModified(request: FastifyRequest, etag: string, modified: Date): boolean {
  const headers = request.headers;
  if (headers["cache-control"]?.includes("no-cache")) return false;
  const ifNoneMatch = headers["if-none-match"];
  if (ifNoneMatch !== undefined) {
    const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
    return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag));
  }
  const since = Date.parse(headers["if-modified-since"] ?? "");
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}
