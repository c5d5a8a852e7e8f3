import type { AppRouter } from "@app/api";
import type { inferRouterInputs } from "@trpc/server";

type Inputs = inferRouterInputs<AppRouter>;
type ResourcePaths<T> = { [R in keyof T & string]: `${R}.${keyof T[R] & string}` }[keyof T & string];

/** `users.create`, `items.list`, …: a typo in the route table fails the typecheck. */
export type ProcedurePath = ResourcePaths<Pick<Inputs, "users" | "items">>;

export type RestMethod = "GET" | "POST" | "PUT" | "DELETE";

/**
 * One REST operation as a view of one tRPC procedure. The input the procedure receives is built
 * from the path parameters, then the query string (GET, DELETE) or the JSON body (POST, PUT).
 */
export type RestRoute = {
  method: RestMethod;
  /** OpenAPI style (`{id}`); collections end with a slash as in the seed, both spellings answer. */
  path: string;
  procedure: ProcedurePath;
  /** The status of a success. */
  status: 200 | 201;
  summary: string;
  /** Path parameters whose input field has another name: `{ id: "userId" }`. */
  inputNames?: Record<string, string>;
  /** Error statuses this operation can answer besides 400, 413, 415 and 500. */
  errors: readonly (404 | 409)[];
  /** Valid values, shown by "Try it out" and used by the contract test. */
  example: {
    params?: Record<string, number>;
    query?: Record<string, string>;
    body?: Record<string, unknown>;
  };
};

/** The seed's paths under /api, in the order the docs list them. */
export const restRoutes: readonly RestRoute[] = [
  {
    method: "POST",
    path: "/api/users/",
    procedure: "users.create",
    status: 201,
    summary: "Create a user",
    errors: [409],
    example: { body: { name: "Bea", email: "bea@example.com" } },
  },
  {
    method: "GET",
    path: "/api/users/",
    procedure: "users.list",
    status: 200,
    summary: "List users, a page at a time",
    errors: [],
    example: { query: { limit: "10", search: "ann" } },
  },
  {
    method: "GET",
    path: "/api/users/{id}",
    procedure: "users.byId",
    status: 200,
    summary: "Read a user with their items",
    errors: [404],
    example: { params: { id: 1 } },
  },
  {
    method: "PUT",
    path: "/api/users/{id}",
    procedure: "users.update",
    status: 200,
    summary: "Change a user's name or email",
    errors: [404, 409],
    example: { params: { id: 1 }, body: { name: "Ann Lee" } },
  },
  {
    method: "DELETE",
    path: "/api/users/{id}",
    procedure: "users.delete",
    status: 200,
    summary: "Delete a user and their items",
    errors: [404],
    example: { params: { id: 1 } },
  },
  {
    method: "POST",
    path: "/api/users/{id}/items/",
    procedure: "items.create",
    status: 201,
    summary: "Add an item to a user",
    inputNames: { id: "userId" },
    errors: [404],
    example: { params: { id: 1 }, body: { title: "Notebook", description: "A5, dotted" } },
  },
  {
    method: "GET",
    path: "/api/items/",
    procedure: "items.list",
    status: 200,
    summary: "List items, a page at a time",
    errors: [],
    example: { query: { userId: "1", limit: "10" } },
  },
  {
    method: "GET",
    path: "/api/items/{id}",
    procedure: "items.byId",
    status: 200,
    summary: "Read an item",
    errors: [404],
    example: { params: { id: 1 } },
  },
  {
    method: "PUT",
    path: "/api/items/{id}",
    procedure: "items.update",
    status: 200,
    summary: "Change an item's title or description",
    errors: [404],
    example: { params: { id: 1 }, body: { title: "Notebook, used" } },
  },
  {
    method: "DELETE",
    path: "/api/items/{id}",
    procedure: "items.delete",
    status: 200,
    summary: "Delete an item",
    errors: [404],
    example: { params: { id: 1 } },
  },
];

/** `{id}` in a route path: the names of its path parameters. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "");
}
