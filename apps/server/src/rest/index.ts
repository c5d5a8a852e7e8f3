import type { Orm } from "@app/db";
import type { FastifyPluginAsync } from "fastify";

export type RestApiOptions = { orm: Orm; exposeErrors: boolean };

/** The REST surface under /api, /openapi.json, and the docs pages (/docs, /redoc). */
export const restApi: FastifyPluginAsync<RestApiOptions> = async () => {};
