// The raw ceiling: plain fastify routes over one database's own driver, answering the benchmark's
// calls with the project's JSON shapes from the same schema and rows, checking the bearer token and
// recording each create's change as the project does. It exists only to measure what the project's
// stack (tRPC, zod, MikroORM, unit of work) costs; see docs/performance.md.
//   DATABASE_URL=sqlite:/tmp/bench.db PORT=8001 node bench/src/raw-server.ts
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench DATABASE_POOL_MAX=10 node bench/src/raw-server.ts
import Fastify, { type FastifyReply } from "fastify";
import { authenticate, getUser, type Outcome, rawProcedures, settle } from "./raw-procedures.ts";
import { RawCallError, type RawStore } from "./raw-store.ts";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is required");
const poolMax = Number(process.env.DATABASE_POOL_MAX ?? 10);
const store = await openStore(url);
const procedures = rawProcedures(store);

/** The store for the URL's scheme, as the project picks its driver (packages/db/src/database-url.ts). */
async function openStore(databaseUrl: string): Promise<RawStore> {
  if (databaseUrl.startsWith("sqlite:")) {
    const { openSqliteStore } = await import("./raw-sqlite.ts");
    return openSqliteStore(databaseUrl.replace(/^sqlite:(\/\/)?/, ""));
  }
  if (/^postgres(ql)?:/.test(databaseUrl)) {
    const { openPostgresStore } = await import("./raw-postgres.ts");
    return openPostgresStore(databaseUrl, poolMax);
  }
  if (/^(mysql|mariadb):/.test(databaseUrl)) {
    const { openMariaDbStore } = await import("./raw-mariadb.ts");
    return openMariaDbStore(databaseUrl.replace(/^mariadb:/, "mysql:"), poolMax);
  }
  throw new Error(`unsupported DATABASE_URL ${databaseUrl}`);
}

// Batch paths name every call ("users.byId,users.byId,…"): the project allows long ones too.
const app = Fastify({ logger: false, routerOptions: { maxParamLength: 2000 } });

type TrpcGet = { Params: { path: string }; Querystring: { input?: string; batch?: string } };
type TrpcPost = { Params: { path: string }; Body: unknown };

app.get("/health", async () => {
  await store.ping();
  return { status: "ok", db: "ok" };
});

app.get<TrpcGet>("/trpc/:path", async (request, reply) => {
  const names = request.params.path.split(",");
  const input: unknown = request.query.input === undefined ? undefined : JSON.parse(request.query.input);
  const caller = await settle(() => authenticate(store, request.headers.authorization));
  if (caller.error) return answer(reply, caller);
  const who = caller.data;
  if (request.query.batch !== "1") {
    return answer(reply, await settle(() => procedures.query(names[0], input, who)));
  }
  const inputs = (input ?? {}) as Record<string, unknown>;
  const outcomes = await procedures.batch(
    names.map((name, index) => ({ name, input: inputs[index] })),
    who,
  );
  return outcomes.map((outcome) => envelope(outcome).body);
});

app.post<TrpcPost>("/trpc/:path", async (request, reply) => {
  const outcome = await settle(async () => {
    const caller = await authenticate(store, request.headers.authorization);
    return procedures.mutation(request.params.path, request.body, caller);
  });
  return answer(reply, outcome);
});

app.get<{ Params: { id: string } }>("/api/users/:id", async (request, reply) => {
  try {
    const caller = await authenticate(store, request.headers.authorization);
    return await getUser(store, Number(request.params.id), caller);
  } catch (error) {
    if (!(error instanceof RawCallError)) throw error;
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  }
});

/** tRPC's envelopes: `{ result: { data } }`, or `{ error }` with the code's HTTP status. */
function envelope(outcome: Outcome): { status: number; body: unknown } {
  if (!outcome.error) return { status: 200, body: { result: { data: outcome.data } } };
  const { error } = outcome;
  const body = { error: { message: error.message, code: -32600, data: { code: error.code } } };
  return { status: error.status, body };
}

function answer(reply: FastifyReply, outcome: Outcome) {
  const { status, body } = envelope(outcome);
  return reply.code(status).send(body);
}

const port = Number(process.env.PORT ?? 0);
await app.listen({ port, host: "127.0.0.1" });
const close = () => void app.close().then(() => store.close());
process.once("SIGTERM", close);
process.once("SIGINT", close);
