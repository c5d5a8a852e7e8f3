import type { FastifyReply, FastifyRequest } from "fastify";

/** The request's media type, lower-cased, without parameters: `application/json`, or "" when absent. */
export function requestMediaType(request: FastifyRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Refuses any POST to tRPC whose body is not JSON. The tRPC plugin would also accept
 * multipart forms, which a browser sends cross-site without a CORS preflight; url-encoded and
 * text/plain bodies are the same risk. 415 before the body is read, so nothing runs.
 */
export async function refuseNonJsonPosts(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== "POST") return;
  const mediaType = requestMediaType(request);
  if (mediaType === "application/json") return;
  await reply.code(415).send({
    error: {
      message: `Unsupported content-type "${mediaType || "none"}": send application/json`,
      code: -32015,
      data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 },
    },
  });
}
