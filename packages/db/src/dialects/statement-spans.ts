import { type Attributes, context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";
import type { DatabaseTarget } from "../database-url.ts";
import { type SqlFlavour, sanitizeSql, summarizeSql } from "./sql-text.ts";
import type { DialectOptions } from "./types.ts";

// A no-op until a tracer provider is registered (the server does when OTEL_* is configured).
const tracer = trace.getTracer("@app/db");

/**
 * A driver's `onCreateConnection` hook that makes every statement run on each new connection a
 * span (traceStatements). Kysely calls it once per connection it opens, for all three dialects.
 */
export function statementSpanHook(target: DatabaseTarget): (connection: unknown) => Promise<void> {
  const spans = statementSpanTarget(target);
  return async (connection) => traceStatements(connection, spans);
}

/** A pooled dialect's options with statementSpanHook run first in its `onCreateConnection`. */
export function withStatementSpans(options: DialectOptions, target: DatabaseTarget): DialectOptions {
  const hook = statementSpanHook(target);
  const next = options.onCreateConnection;
  return {
    ...options,
    onCreateConnection: async (connection) => {
      await hook(connection);
      await next?.(connection);
    },
  };
}

/** What every statement span of one database says about it (OpenTelemetry's database conventions). */
type StatementSpanTarget = {
  flavour: SqlFlavour;
  attributes: Attributes;
  /** Statements already described (described()), by their SQL. */
  descriptions: Map<string, Described>;
};

/** `db.system.name`, `db.namespace` and the server's address, read once from the database URL. */
function statementSpanTarget(target: DatabaseTarget): StatementSpanTarget {
  const descriptions = new Map<string, Described>();
  if (target.dialect === "sqlite") {
    return { flavour: "sqlite", attributes: { "db.system.name": "sqlite" }, descriptions };
  }
  const url = new URL(target.url);
  // MariaDB whatever the URL's scheme: mysql:// URLs reach it through the same MariaDB driver.
  const system = target.dialect;
  const port = Number(url.port) || (target.dialect === "postgresql" ? 5432 : 3306);
  return {
    flavour: target.dialect === "postgresql" ? "postgresql" : "mysql",
    attributes: {
      "db.system.name": system,
      "db.namespace": target.database,
      "server.address": url.hostname.replace(/^\[|\]$/g, ""),
      "server.port": port,
    },
    descriptions,
  };
}

// Connections already traced: a driver may hand the same one to its creation hook again.
const traced = new WeakSet<object>();

/**
 * Makes every statement run on `connection` a span, child of the active one: Kysely's
 * `executeQuery` is the one door every statement of all three dialects passes through, the
 * ORM's and Kysely's own, transaction control included (begin, commit, rollback, savepoints).
 * The span holds the statement without its values (sanitizeSql), never its parameters.
 *
 * A statement with no recording span around it makes none: with no tracer provider registered
 * (tracing off) the cost is one context lookup, and work outside any request (migrations, the
 * change-log pruning) does not litter the traces with root spans of one statement each.
 *
 * Wrapped once, in place, when the driver opens it: the drivers keep calling their own
 * connection object, and nothing runs per acquisition.
 */
function traceStatements(connection: unknown, target: StatementSpanTarget): void {
  if (!isDatabaseConnection(connection) || traced.has(connection)) return;
  traced.add(connection);
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = <R>(query: CompiledQuery, options?: ExecuteOptions): Promise<QueryResult<R>> => {
    const parent = context.active();
    const active = trace.getSpan(parent);
    if (active === undefined || !active.isRecording()) return execute<R>(query, options);
    return executeInSpan(() => execute<R>(query, options), described(query, target), target, parent);
  };
}

type ExecuteOptions = Parameters<DatabaseConnection["executeQuery"]>[1];

/** A statement as its span tells it: the text without values, its operation and its table. */
type Described = { text: string; operation: string; table: string | undefined; summary: string };

// Kysely's statements recur word for word (their values travel apart): each is read once, which
// spares about 3 µs a statement. The ORM's carry their values inline, so are each new: not kept.
const descriptionsKept = 500;

function described(query: CompiledQuery, { flavour, descriptions }: StatementSpanTarget): Described {
  const recurs = query.parameters.length > 0 || query.sql.length <= 32;
  const known = recurs ? descriptions.get(query.sql) : undefined;
  if (known) return known;
  const text = sanitizeSql(query.sql, flavour);
  const { operation, table } = summarizeSql(text);
  const description = {
    text,
    operation,
    table,
    summary: table === undefined ? operation : `${operation} ${table}`,
  };
  if (recurs) {
    if (descriptions.size >= descriptionsKept) descriptions.clear();
    descriptions.set(query.sql, description);
  }
  return description;
}

async function executeInSpan<R>(
  execute: () => Promise<QueryResult<R>>,
  { text, operation, table, summary }: Described,
  target: StatementSpanTarget,
  parent: ReturnType<typeof context.active>,
): Promise<QueryResult<R>> {
  const span = tracer.startSpan(
    summary || String(target.attributes["db.system.name"]),
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...target.attributes,
        "db.operation.name": operation,
        "db.query.summary": summary,
        "db.query.text": text,
        ...(table !== undefined && operation !== "SELECT" && { "db.collection.name": table }),
      },
    },
    parent,
  );
  try {
    const result = await execute();
    span.setAttribute("db.response.returned_rows", result.rows.length);
    return result;
  } catch (error) {
    // The code only: a database's message can quote the values (a duplicate key's, for one).
    const code = errorCode(error);
    span.setAttribute("error.type", code ?? (error instanceof Error ? error.name : "Error"));
    if (code !== undefined) span.setAttribute("db.response.status_code", code);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/** `SQLITE_CONSTRAINT_UNIQUE`, PostgreSQL's SQLSTATE (`23505`), MariaDB's `ER_DUP_ENTRY`. */
function errorCode(error: unknown): string | undefined {
  const code: unknown = typeof error === "object" && error !== null ? Reflect.get(error, "code") : undefined;
  return typeof code === "string" && code !== "" ? code : undefined;
}

function isDatabaseConnection(value: unknown): value is DatabaseConnection {
  return (
    typeof value === "object" && value !== null && typeof Reflect.get(value, "executeQuery") === "function"
  );
}
