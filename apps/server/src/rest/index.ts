import type { Orm } from "@app/db";
import type { FastifyPluginAsync } from "fastify";
import { docsPages } from "./docs-pages.ts";
import { restRoutesPlugin } from "./handler.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { resolveOperations } from "./operations.ts";

export type RestApiOptions = { orm: Orm; exposeErrors: boolean };

/** The REST surface under /api, /openapi.json, and the docs pages (/docs, /redoc). */
export const restApi: FastifyPluginAsync<RestApiOptions> = async (app, { orm, exposeErrors }) => {
  // Resolved once: a route whose procedure lacks schemas stops the server at start-up.
  const operations = resolveOperations();
  const document = buildOpenApiDocument(operations);

  await app.register(restRoutesPlugin, { prefix: "/api", orm, exposeErrors, operations });
  app.get("/openapi.json", async () => document);
  await app.register(docsPages);
};
