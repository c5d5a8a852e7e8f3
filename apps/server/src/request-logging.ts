import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/**
 * One log line per request, written when it completes (method, URL, status, time, request id),
 * instead of fastify's two (received and completed): the line that matters, at half the cost.
 * The arrival is still logged at debug level.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: loggedUrl(request.url) }, "request received");
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: loggedUrl(request.url),
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}

/**
 * The URL as logged: a query string that names a password or an accounts call, however the
 * path is spelled or encoded (`auth%2EsignIn`, `/API//auth/`), is dropped, since a client that
 * sends a password as `?input=` or `?password=` (answered 405 or 404) must not have it written to
 * the log.
 */
export function loggedUrl(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  // Most URLs hold neither word nor an escape: no decoding for them (this runs on every request).
  if (!url.includes("%") && !/auth|passw/i.test(url)) return url;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url).toLowerCase();
  } catch {
    decoded = url.toLowerCase();
  }
  if (!/auth|passw/.test(decoded)) return url;
  return `${url.slice(0, query)}?[redacted]`;
}
