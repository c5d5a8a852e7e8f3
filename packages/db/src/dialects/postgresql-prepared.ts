import { createHash } from "node:crypto";
import { forgetParsed, isParsed, parsedStatementsOf } from "./pg-internals.ts";

/** The part of a `pg` client this needs (`getTransactionStatus`: `I` idle, `T` in a transaction, `E` failed one). */
export type QueryingClient = {
  query(...args: unknown[]): unknown;
  getTransactionStatus(): string | null;
};

/**
 * Sends each parameterised statement on `client` under a name, so that PostgreSQL parses and
 * plans it once per connection instead of on every call: Kysely calls `client.query(text,
 * values)`, which `pg` sends unnamed. Named, a `users.byId` costs the database 135 µs of CPU
 * instead of 322 (docs/performance.md, 2026-12-01).
 *
 * Only statements with values are named. MikroORM writes its values into the text (updates,
 * deletes), so its texts never recur; Kysely's recur word for word, their values apart. The
 * name is a hash of the text. At most `limit` stay prepared, the least recently used
 * deallocated first, so that no stream of new texts grows the server's memory without end.
 *
 * Failure modes kept as they were, or healed:
 * - In a failed transaction (status `E`) statements go unnamed and fail as before. Nothing is
 *   deallocated inside a transaction either: should it fail, it would abort the caller's work.
 * - A schema change (a migration on a live server) under a prepared statement makes PostgreSQL
 *   refuse it: "cached plan must not change result type" (0A000). Outside a transaction the
 *   statement has done nothing, so it is deallocated, prepared again and retried once; inside one
 *   the transaction is lost (a 503, transient-errors.ts), and the name is deallocated the next
 *   time the connection is idle.
 */
export function prepareStatements(client: QueryingClient, limit: number): void {
  const parsed = parsedStatementsOf(client);
  if (parsed === undefined || typeof client.getTransactionStatus !== "function") return;
  const send = client.query;
  const prepared = new Map<string, string>(); // text → name, least recently used first
  const outdated = new Set<string>(); // names refused for a schema change, to deallocate when idle

  // Only ever sent while the connection is idle (status `I`), and so never inside the caller's
  // transaction, where a failure would abort it; and waited for, since `pg` 9 will refuse a
  // query sent on a busy client. Outside a transaction it cannot fail but for a lost connection,
  // which the statement sent next reports.
  const deallocate = async (names: readonly string[]) => {
    for (const name of names) {
      forgetParsed(parsed, name);
      await Promise.resolve(send.call(client, `deallocate "${name}"`)).catch(() => {});
    }
  };

  const sendNamed = async (text: string, values: unknown[], name: string): Promise<unknown> => {
    const wasParsed = isParsed(parsed, name);
    try {
      return await send.call(client, { name, text, values });
    } catch (error) {
      if (!wasParsed || !isOutdatedPlan(error)) throw error;
      prepared.delete(text);
      if (client.getTransactionStatus() !== "I") {
        outdated.add(name);
        throw error;
      }
      await deallocate([name]);
      prepared.set(text, name);
      return await send.call(client, { name, text, values });
    } finally {
      // A Parse that failed (a syntax error, a failed transaction) prepared nothing.
      if (prepared.get(text) === name && !isParsed(parsed, name)) prepared.delete(text);
    }
  };

  const deallocateThenSend = async (names: string[], text: string, values: unknown[], name: string) => {
    await deallocate(names);
    return sendNamed(text, values, name);
  };

  client.query = function queryNamed(this: QueryingClient, ...args: unknown[]) {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== "string" || !Array.isArray(values) || values.length === 0) {
      return send.apply(this, args);
    }
    const status = client.getTransactionStatus();
    if (status === "E") return send.apply(this, args);
    const dropping: string[] = [];
    if (status === "I" && outdated.size > 0) {
      dropping.push(...outdated);
      outdated.clear();
    }
    let name = prepared.get(text);
    if (name !== undefined) {
      prepared.delete(text);
    } else {
      name = statementName(text);
      if (outdated.has(name)) return send.apply(this, args);
      if (prepared.size + outdated.size >= limit) {
        const [oldest] = prepared;
        if (status !== "I" || oldest === undefined) return send.apply(this, args);
        prepared.delete(oldest[0]);
        dropping.push(oldest[1]);
      }
    }
    prepared.set(text, name);
    return dropping.length === 0
      ? sendNamed(text, values, name)
      : deallocateThenSend(dropping, text, values, name);
  };
}

/** A short name for a statement's text: 120 bits of its SHA-256, so that texts never share one. */
export function statementName(text: string): string {
  return `s_${createHash("sha256").update(text).digest("base64url").slice(0, 20)}`;
}

/**
 * PostgreSQL refusing a prepared statement whose result columns a schema change altered:
 * "cached plan must not change result type", raised by RevalidateCachedQuery (the routine, unlike
 * the message, is not translated).
 */
export function isOutdatedPlan(error: unknown): boolean {
  return (
    error instanceof Error &&
    Reflect.get(error, "code") === "0A000" &&
    (Reflect.get(error, "routine") === "RevalidateCachedQuery" ||
      error.message === "cached plan must not change result type")
  );
}
