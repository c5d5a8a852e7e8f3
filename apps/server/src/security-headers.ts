import type { FastifyReply, FastifyRequest } from "fastify";

/** The web app loads only its own hashed bundle and talks only to this server. */
const webAppContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Headers every response carries, and HTML pages more: no MIME sniffing, no referrer leaking
 * ids in URLs, no framing (clickjacking), and a content security policy unless the page set
 * its own (the docs pages do).
 */
export async function addSecurityHeaders(
  _request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  const type = String(reply.getHeader("content-type") ?? "");
  if (type.startsWith("text/html")) {
    reply.header("x-frame-options", "DENY");
    reply.header("cross-origin-opener-policy", "same-origin");
    if (!reply.hasHeader("content-security-policy")) {
      reply.header("content-security-policy", webAppContentSecurityPolicy);
    }
  }
  return payload;
}
