import { defaultAuthSettings } from "@app/api";
import Fastify from "fastify";
import { trpcRoute } from "../../src/transport/trpc-route.ts";
import type { TestServer } from "./harness.ts";

/**
 * The tRPC route alone on a server of its own, on the test server's database and change feed.
 * With `directCalls` false every request goes through tRPC's own handler: the reference the
 * server's fast paths (direct-calls.ts, sse-calls.ts) must match.
 */
export async function startRoute(server: TestServer, directCalls: boolean) {
  const app = Fastify();
  await app.register(trpcRoute, {
    orm: server.orm,
    exposeErrors: false,
    maxBatchSize: 10,
    auth: defaultAuthSettings,
    allowedOrigins: new Set<string>(),
    directCalls,
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, [Symbol.asyncDispose]: () => app.close() };
}

/** The route with both fast paths off: every request through tRPC's handler. */
export function startReference(server: TestServer) {
  return startRoute(server, false);
}
