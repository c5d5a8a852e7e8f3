import type { FastifyPluginAsync } from "fastify";
import type { RestOperation } from "../transport/rest/operations.ts";
import { docsPages } from "./docs-pages.ts";
import { buildOpenApiDocument } from "./openapi.ts";

export type ApiDocsOptions = { operations: readonly RestOperation[] };

/** The REST surface described: /openapi.json, Swagger UI at /docs and ReDoc at /redoc. */
export const apiDocs: FastifyPluginAsync<ApiDocsOptions> = async (app, { operations }) => {
  const document = buildOpenApiDocument(operations);
  app.get("/openapi.json", async () => document);
  await app.register(docsPages);
};
