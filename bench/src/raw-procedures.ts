import { createHash } from "node:crypto";
import { type CredentialKind, RawCallError, type RawStore, type UserJson } from "./raw-store.ts";

/** Who is calling, as the bearer token resolves. */
export type RawCaller = { id: number; role: "user" | "admin" };

type Procedure = (input: unknown, caller: RawCaller) => Promise<unknown>;

/**
 * The caller behind an `Authorization: Bearer` header, as the project resolves it
 * (packages/api/src/auth/caller.ts, tokens.ts): a well-formed token's prefix picks the table, its
 * SHA-256 in hex is looked up by one indexed query joined to the account, and an expired
 * credential is refused. Nothing is cached, as in the project. (The project also records a
 * credential's use, at most hourly: never within a run.)
 */
export async function authenticate(store: RawStore, authorization: string | undefined): Promise<RawCaller> {
  const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
  const kind = token === undefined ? undefined : tokenKind(token);
  if (token === undefined || kind === undefined) throw unauthorized();
  const hash = createHash("sha256").update(token).digest("hex");
  const found = await store.credential(kind, hash);
  if (!found || (found.expiresAtMs !== null && found.expiresAtMs <= Date.now())) throw unauthorized();
  return { id: found.userId, role: found.role };
}

function tokenKind(token: string): CredentialKind | undefined {
  if (token.length !== 47 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  if (token.startsWith("uis_")) return "session";
  if (token.startsWith("uit_")) return "token";
  return undefined;
}

function unauthorized(): RawCallError {
  return new RawCallError("UNAUTHORIZED", "Sign in first");
}

/**
 * The procedures the benchmark calls, with just enough input checking and the project's access
 * rules (packages/api/src/access.ts) to be honest: a ceiling, not a second implementation of the
 * API's validation.
 */
export function rawProcedures(store: RawStore) {
  const queriesByName: Record<string, Procedure> = {
    "users.byId": (input, caller) => getUser(store, field(input, "id", "number"), caller),
    "users.list": async (input, caller) => {
      requireAdmin(caller);
      return store.listUsers({
        cursor: optional(input, "cursor", "number") ?? 0,
        limit: optional(input, "limit", "number") ?? 20,
        withItems: optional(input, "withItems", "boolean") ?? false,
      });
    },
  };
  const mutationsByName: Record<string, Procedure> = {
    "users.create": async (input, caller) => {
      requireAdmin(caller);
      const name = field(input, "name", "string").trim();
      const email = field(input, "email", "string").trim().toLowerCase();
      return store.createUser({ name, email, actorId: caller.id });
    },
    "items.create": async (input, caller) => {
      const userId = optional(input, "userId", "number") ?? caller.id;
      if (caller.role !== "admin" && userId !== caller.id) throw notFound(userId);
      return store.createItem({
        userId,
        title: field(input, "title", "string").trim(),
        description: optional(input, "description", "string") ?? null,
        actorId: caller.id,
      });
    },
  };

  /**
   * A batch of queries: its `users.byId` calls read together (`usersWithItems`), as the project's
   * loader coalesces them into `where id in (…)` (decision 007); each call answers on its own.
   */
  async function batch(
    calls: { name: string | undefined; input: unknown }[],
    caller: RawCaller,
  ): Promise<Outcome[]> {
    const ids = new Map<number, number>();
    const outcomes: (Outcome | undefined)[] = calls.map((call, index) => {
      if (call.name !== "users.byId") return undefined;
      try {
        const id = field(call.input, "id", "number");
        if (caller.role !== "admin" && id !== caller.id) throw notFound(id);
        ids.set(index, id);
        return undefined;
      } catch (error) {
        return failed(error);
      }
    });
    const users = ids.size > 0 ? await store.usersWithItems([...ids.values()]) : new Map<number, UserJson>();
    return Promise.all(
      calls.map(async (call, index): Promise<Outcome> => {
        const done = outcomes[index];
        if (done) return done;
        const id = ids.get(index);
        if (id !== undefined) {
          const user = users.get(id);
          return user ? { data: user } : { error: notFound(id) };
        }
        return settle(() => run(queriesByName, call.name, call.input, caller));
      }),
    );
  }

  return {
    query: (name: string | undefined, input: unknown, caller: RawCaller) =>
      run(queriesByName, name, input, caller),
    mutation: (name: string | undefined, input: unknown, caller: RawCaller) =>
      run(mutationsByName, name, input, caller),
    batch,
  };
}

/** A call's answer: its data, or the error it failed with. */
export type Outcome<T = unknown> = { data: T; error?: undefined } | { data?: undefined; error: RawCallError };

/** The call's outcome; an error other than a RawCallError (a bug, a dead database) is rethrown. */
export async function settle<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { data: await call() };
  } catch (error) {
    return failed(error);
  }
}

function failed(error: unknown): { error: RawCallError } {
  if (error instanceof RawCallError) return { error };
  throw error;
}

function run(
  table: Record<string, Procedure>,
  name: string | undefined,
  input: unknown,
  caller: RawCaller,
): Promise<unknown> {
  const procedure = name === undefined ? undefined : table[name];
  if (!procedure) return Promise.reject(new RawCallError("NOT_FOUND", `No procedure ${name}`));
  return procedure(input, caller);
}

/** A user with its items, as users.byId and GET /api/users/{id} answer it; someone else's is missing. */
export async function getUser(store: RawStore, id: number, caller: RawCaller): Promise<UserJson> {
  if (caller.role !== "admin" && id !== caller.id) throw notFound(id);
  const user = await store.userWithItems(id);
  if (!user) throw notFound(id);
  return user;
}

function requireAdmin(caller: RawCaller): void {
  if (caller.role !== "admin") throw new RawCallError("FORBIDDEN", "Only an admin may do this");
}

function notFound(id: number): RawCallError {
  return new RawCallError("NOT_FOUND", `User ${id} not found`);
}

type FieldTypes = { number: number; string: string; boolean: boolean };

function field<K extends keyof FieldTypes>(input: unknown, name: string, type: K): FieldTypes[K] {
  const value = optional(input, name, type);
  if (value === undefined) throw new RawCallError("BAD_REQUEST", `${name} is required`);
  return value;
}

function optional<K extends keyof FieldTypes>(
  input: unknown,
  name: string,
  type: K,
): FieldTypes[K] | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const value: unknown = Reflect.get(input, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw new RawCallError("BAD_REQUEST", `${name} must be a ${type}`);
  return value as FieldTypes[K];
}
