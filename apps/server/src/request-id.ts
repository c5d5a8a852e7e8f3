import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** A caller's own `x-request-id` is kept when it looks like an id; anything else gets a fresh UUID. */
const acceptable = /^[\w.:-]{1,128}$/;

/**
 * Fastify's `genReqId`: every request gets an id, echoed in the `x-request-id` response header and
 * carried by every log line of that request, so a caller's report leads to the server's logs.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && acceptable.test(given) ? given : randomUUID();
}
