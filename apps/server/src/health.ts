import { type Orm, schemaProblem } from "@app/db";
import type { FastifyPluginAsync } from "fastify";

/** What the server tells its health checks about itself. */
export type Lifecycle = {
  /** Set first thing on SIGTERM/SIGINT: readiness fails before anything else stops. */
  shuttingDown: boolean;
};

export type HealthOptions = { orm: Orm; lifecycle: Lifecycle };

/**
 * A check that does not answer within this long has failed: a load balancer needs an answer,
 * and a database that takes seconds to run `select … where 1 = 0` cannot serve calls either.
 */
const readyTimeoutMs = 2_000;

type Readiness = { ready: true } | { ready: false; reason: string; db: "ok" | "unreachable" };

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready`: it can serve calls:
 * the database answers a query against the schema, every migration is applied and the server is
 * not shutting down (take it out of rotation if not). `/health` is readiness in the shape it has
 * always had (`{ status, db }`). None needs a credential, and none is a procedure call.
 */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { orm, lifecycle }) => {
  const readiness = async (): Promise<Readiness> => {
    if (lifecycle.shuttingDown) return { ready: false, reason: "shutting down", db: "ok" };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    });
    try {
      const problem = await Promise.race([schemaProblem(orm), timeout]);
      return problem === null ? { ready: true } : { ready: false, reason: problem, db: "ok" };
    } catch (error) {
      app.log.error({ err: error }, "readiness check failed");
      return { ready: false, reason: "the database does not answer", db: "unreachable" };
    } finally {
      clearTimeout(timer);
    }
  };

  app.get("/health/live", async () => ({ status: "live" }));

  app.get("/health/ready", async (_request, reply) => {
    const state = await readiness();
    if (state.ready) return { status: "ready" };
    return reply.code(503).send({ status: "not ready", reason: state.reason });
  });

  app.get("/health", async (_request, reply) => {
    const state = await readiness();
    if (state.ready) return { status: "ok", db: "ok" };
    return reply.code(503).send({ status: "unavailable", db: state.db, reason: state.reason });
  });
};
