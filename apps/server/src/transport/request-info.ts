import { type PresentedCredential, type RequestInfo, sessionCookieOf } from "@app/api";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * What a call learns of its HTTP request: the credential (`Authorization: Bearer`, else the
 * session cookie), the client's address, whether a page of another origin sent it, and how to add
 * a response header. The same for the fast path, tRPC's handler and REST.
 */
export function requestInfo(
  request: FastifyRequest,
  reply: FastifyReply,
  allowedOrigins: ReadonlySet<string>,
): RequestInfo {
  return {
    credential: credentialOf(request),
    ip: request.ip,
    foreignOrigin: isForeignOrigin(request, allowedOrigins),
    secure: request.protocol === "https",
    setHeader: (name, value) => void reply.header(name, value),
  };
}

function credentialOf(request: FastifyRequest): PresentedCredential | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    // Anything but a bearer token is a credential that resolves to no one: a clear 401, not a
    // silent fall back to the cookie or to anonymous.
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return { token: match?.[1] ?? "", from: "header" };
  }
  const cookie = sessionCookieOf(request.headers.cookie);
  return cookie === undefined ? undefined : { token: cookie, from: "cookie" };
}

/** An `Origin` other than this server's own and the allowed CORS origins (`null` included). */
function isForeignOrigin(request: FastifyRequest, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  if (origin === `${request.protocol}://${request.host}`) return false;
  return !allowedOrigins.has(origin);
}
