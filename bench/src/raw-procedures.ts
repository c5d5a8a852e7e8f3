import type { RawQueries } from "./raw-queries.ts";

/** A failed call, answered with tRPC's status for its code. */
export class RawCallError extends Error {
  readonly code: "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT";

  constructor(code: RawCallError["code"], message: string) {
    super(message);
    this.code = code;
  }

  get status(): number {
    return { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409 }[this.code];
  }
}

type Procedure = (input: unknown) => unknown;

/**
 * The procedures the benchmark calls, with just enough input checking to be honest: a ceiling,
 * not a second implementation of the API's validation.
 */
export function rawProcedures(queries: RawQueries) {
  const queriesByName: Record<string, Procedure> = {
    "users.byId": (input) => getUser(queries, field(input, "id", "number")),
    "users.list": (input) =>
      queries.listUsers({
        cursor: optional(input, "cursor", "number") ?? 0,
        limit: optional(input, "limit", "number") ?? 20,
        withItems: optional(input, "withItems", "boolean") ?? false,
      }),
  };
  const mutationsByName: Record<string, Procedure> = {
    "users.create": (input) => {
      try {
        return queries.createUser(field(input, "name", "string"), field(input, "email", "string"));
      } catch (error) {
        if (isSqliteError(error, "SQLITE_CONSTRAINT_UNIQUE"))
          throw new RawCallError("CONFLICT", "email taken");
        throw error;
      }
    },
    "items.create": (input) => {
      try {
        return queries.createItem({
          userId: field(input, "userId", "number"),
          title: field(input, "title", "string"),
          description: optional(input, "description", "string") ?? null,
        });
      } catch (error) {
        if (isSqliteError(error, "SQLITE_CONSTRAINT_FOREIGNKEY"))
          throw new RawCallError("NOT_FOUND", "no user");
        throw error;
      }
    },
  };
  return { queries: queriesByName, mutations: mutationsByName };
}

/** A user with its items, as users.byId and GET /api/users/{id} answer it. */
export function getUser(queries: RawQueries, id: number): unknown {
  const user = queries.userWithItems(id);
  if (!user) throw new RawCallError("NOT_FOUND", `User ${id} not found`);
  return user;
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

function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
