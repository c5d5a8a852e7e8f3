import { isUtf8 } from "node:buffer";
import { TRPCError } from "@trpc/server";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** The request's media type, lower-cased, without parameters: `application/json`, or "" when absent. */
function requestMediaType(request: FastifyRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Bodies this surface takes: JSON only, as UTF-8 text. A POST or PUT of anything else is refused
 * with 415 before its body is read, so nothing runs: tRPC's own handler would also accept
 * multipart forms, which a browser sends cross-site without a CORS preflight (url-encoded and
 * text/plain bodies are the same risk). `parse` gets the body's text; refusals are thrown to the
 * surface's error handler, which answers in its own shape.
 */
export function acceptJsonBodies(app: FastifyInstance, parse: JsonTextParser): void {
  app.addHook("onRequest", async (request) => {
    const error = nonJsonBodyError(request);
    if (error) throw error;
  });
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const text = utf8Text(body);
    if (typeof text === "string") parse(request, text, done);
    else done(text, undefined);
  });
}

export type JsonTextParser = (
  request: FastifyRequest,
  text: string,
  done: (error: Error | null, body?: unknown) => void,
) => void;

function nonJsonBodyError(request: FastifyRequest): TRPCError | undefined {
  if (request.method !== "POST" && request.method !== "PUT") return undefined;
  const mediaType = requestMediaType(request);
  if (mediaType === "application/json") return undefined;
  // No body at all (`POST /api/auth/signout`): nothing to misread.
  if (mediaType === "" && isBodyless(request)) return undefined;
  return new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: `Unsupported content-type "${mediaType || "none"}": send application/json`,
  });
}

function isBodyless(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] === undefined && (length === undefined || length === "0");
}

/**
 * A JSON body's text, refusing bytes that are not UTF-8: decoding them anyway would store U+FFFD
 * in place of what the caller sent, a silent change. The error is fastify's kind (a status).
 */
function utf8Text(body: Buffer | string): string | (Error & { statusCode: 400 }) {
  if (typeof body === "string") return body;
  if (isUtf8(body)) return body.toString("utf8");
  return Object.assign(new Error("The body is not valid UTF-8"), { statusCode: 400 as const });
}
