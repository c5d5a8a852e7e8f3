import { isUtf8 } from "node:buffer";
import { TRPCError } from "@trpc/server";
import type { FastifyRequest } from "fastify";

/** The request's media type, lower-cased, without parameters: `application/json`, or "" when absent. */
export function requestMediaType(request: FastifyRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * The refusal of a request body that is not JSON, or undefined for one that is (or has no body).
 * tRPC's own handler would also accept multipart forms, which a browser sends cross-site without
 * a CORS preflight; url-encoded and text/plain bodies are the same risk. Checked before the body
 * is read, so nothing runs.
 */
export function nonJsonBodyError(request: FastifyRequest): TRPCError | undefined {
  if (request.method !== "POST" && request.method !== "PUT") return undefined;
  const mediaType = requestMediaType(request);
  if (mediaType === "application/json") return undefined;
  return new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: `Unsupported content-type "${mediaType || "none"}": send application/json`,
  });
}

/**
 * A JSON body's text, refusing bytes that are not UTF-8: decoding them anyway would store U+FFFD
 * in place of what the caller sent, a silent change. The error is fastify's kind (a status), which
 * each surface's error handler turns into its own shape.
 */
export function utf8Text(body: Buffer | string): string | (Error & { statusCode: 400 }) {
  if (typeof body === "string") return body;
  if (isUtf8(body)) return body.toString("utf8");
  return Object.assign(new Error("The body is not valid UTF-8"), { statusCode: 400 as const });
}
