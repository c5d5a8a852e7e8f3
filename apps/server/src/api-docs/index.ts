import type { FastifyPluginAsync } from "fastify";
import type { RestOperation } from "../transport/rest/operations.ts";
import { docsPages } from "./docs-pages.ts";
import { buildOpenApiDocument, type OpenApiDocument } from "./openapi.ts";

export type ApiDocsOptions = { operations: readonly RestOperation[] };

/** The REST surface described: /openapi.json, Swagger UI at /docs and ReDoc at /redoc. */
export const apiDocs: FastifyPluginAsync<ApiDocsOptions> = async (app, { operations }) => {
  // Written at the first request for it rather than at start-up, which it would lengthen for
  // a document few ask for; the same one every time after.
  let document: OpenApiDocument | undefined;
  app.get("/openapi.json", async () => {
    document ??= buildOpenApiDocument(operations);
    return document;
  });
  await app.register(docsPages);
};
