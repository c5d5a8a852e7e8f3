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
 * The URL as logged: an accounts call's query string is dropped, since a client that sends a
 * password as `?input=` (a GET, answered 405) must not have it written to the log.
 */
export function loggedUrl(url: string): string {
  const query = url.indexOf("?");
  if (query < 0 || !/\/(trpc\/[^?]*auth\.|api\/auth\/)/.test(url.slice(0, query))) return url;
  return `${url.slice(0, query)}?[redacted]`;
}
