// The raw ceiling: plain fastify routes over raw better-sqlite3 prepared statements, answering the
// benchmark's calls with the project's JSON shapes from the same SQLite schema. It exists only to
// measure what the project's stack (tRPC, zod, MikroORM, unit of work) costs; see docs/performance.md.
//   DB_PATH=/tmp/bench.db PORT=8001 node bench/src/raw-server.ts
import Database from "better-sqlite3";
import Fastify, { type FastifyReply } from "fastify";
import { getUser, RawCallError, rawProcedures } from "./raw-procedures.ts";
import { prepareQueries } from "./raw-queries.ts";

const dbPath = process.env.DB_PATH;
if (!dbPath) throw new Error("DB_PATH is required");
const db = new Database(dbPath);
// The project's pragmas (packages/db/src/dialects/sqlite.ts), so both write the same way.
db.pragma("journal_mode = wal");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
const queries = prepareQueries(db);
const procedures = rawProcedures(queries);

// Batch paths name every call ("users.byId,users.byId,…"): the project allows long ones too.
const app = Fastify({ logger: false, routerOptions: { maxParamLength: 2000 } });

type TrpcGet = { Params: { path: string }; Querystring: { input?: string; batch?: string } };
type TrpcPost = { Params: { path: string }; Body: unknown };

app.get("/health", async () => {
  queries.ping();
  return { status: "ok", db: "ok" };
});

app.get<TrpcGet>("/trpc/:path", async (request, reply) => {
  const names = request.params.path.split(",");
  const input: unknown = request.query.input === undefined ? undefined : JSON.parse(request.query.input);
  if (request.query.batch !== "1") return answer(reply, () => call(procedures.queries, names[0], input));
  const inputs = (input ?? {}) as Record<string, unknown>;
  return names.map((name, index) => envelope(() => call(procedures.queries, name, inputs[index])).body);
});

app.post<TrpcPost>("/trpc/:path", async (request, reply) =>
  answer(reply, () => call(procedures.mutations, request.params.path, request.body)),
);

app.get<{ Params: { id: string } }>("/api/users/:id", async (request, reply) => {
  try {
    return getUser(queries, Number(request.params.id));
  } catch (error) {
    if (!(error instanceof RawCallError)) throw error;
    return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
  }
});

function call(table: Record<string, (input: unknown) => unknown>, name: string | undefined, input: unknown) {
  const procedure = name === undefined ? undefined : table[name];
  if (!procedure) throw new RawCallError("NOT_FOUND", `No procedure ${name}`);
  return procedure(input);
}

/** tRPC's envelopes: `{ result: { data } }`, or `{ error }` with the code's HTTP status. */
function envelope(run: () => unknown): { status: number; body: unknown } {
  try {
    return { status: 200, body: { result: { data: run() } } };
  } catch (error) {
    if (!(error instanceof RawCallError)) throw error;
    const body = { error: { message: error.message, code: -32600, data: { code: error.code } } };
    return { status: error.status, body };
  }
}

function answer(reply: FastifyReply, run: () => unknown) {
  const { status, body } = envelope(run);
  return reply.code(status).send(body);
}

const port = Number(process.env.PORT ?? 0);
await app.listen({ port, host: "127.0.0.1" });
const close = () => void app.close().then(() => db.close());
process.once("SIGTERM", close);
process.once("SIGINT", close);
