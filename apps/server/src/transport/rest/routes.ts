import type { AppRouter } from "@app/api";
import { changeOutput } from "@app/api/schemas";
import type { Orm } from "@app/db";
import type { z } from "zod";
import { refusesResumePoint } from "./change-stream.ts";

type Procedures = AppRouter["_def"]["record"];
/** `users.create`, `auth.tokens.list`, …: every procedure path of a router record. */
type PathsOf<R, Prefix extends string = ""> = {
  [K in keyof R & string]: R[K] extends { _def: { type: string } }
    ? `${Prefix}${K}`
    : PathsOf<R[K], `${Prefix}${K}.`>;
}[keyof R & string];

/** A typo in the route table fails the typecheck. */
export type ProcedurePath = Exclude<PathsOf<Procedures>, "health">;

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
  /** Request headers that fill an input field: `{ "Last-Event-ID": "lastEventId" }`. */
  headerNames?: Record<string, string>;
  /**
   * A subscription, served as server-sent events (`text/event-stream`, event-stream.ts): one
   * event per value it yields, whose `data` has this schema.
   */
  events?: z.ZodType;
  /**
   * A subscription: whether it will refuse this input before its first event. Its first step is
   * then awaited before answering, so that the refusal is an HTTP status and not an error event.
   */
  refusesAtOnce?: (orm: Orm, input: Record<string, unknown>) => Promise<boolean>;
  /**
   * Error statuses this operation can answer besides 400, 413, 415 and 500, and 401 (which every
   * operation that needs an account can answer: see the access rules).
   */
  errors: readonly (401 | 403 | 404 | 409 | 412 | 429)[];
  /**
   * Valid values, shown by "Try it out" and used by the contract test. User 1 is usually the
   * admin, so the users' examples name user 2.
   */
  example: {
    params?: Record<string, number>;
    query?: Record<string, string>;
    body?: Record<string, unknown>;
  };
};

/** The seed's paths under /api, then accounts', in the order the docs list them. */
export const restRoutes: readonly RestRoute[] = [
  {
    method: "POST",
    path: "/api/users/",
    procedure: "users.create",
    status: 201,
    summary: "Create a user (admins)",
    errors: [403, 409],
    example: { body: { name: "Bea", email: "bea@example.com" } },
  },
  {
    method: "GET",
    path: "/api/users/",
    procedure: "users.list",
    status: 200,
    summary: "List users, a page at a time (admins)",
    errors: [403],
    example: { query: { limit: "10", search: "ann" } },
  },
  {
    method: "GET",
    path: "/api/users/{id}",
    procedure: "users.byId",
    status: 200,
    summary: "Read a user with their items",
    errors: [404],
    example: { params: { id: 2 } },
  },
  {
    method: "PUT",
    path: "/api/users/{id}",
    procedure: "users.update",
    status: 200,
    summary: "Change a user's name or email (admins: also role and password)",
    errors: [403, 404, 409],
    example: { params: { id: 2 }, body: { name: "Ann Lee" } },
  },
  {
    method: "DELETE",
    path: "/api/users/{id}",
    procedure: "users.delete",
    status: 200,
    summary: "Delete a user and their items",
    errors: [404],
    example: { params: { id: 2 } },
  },
  {
    method: "POST",
    path: "/api/users/{id}/items/",
    procedure: "items.create",
    status: 201,
    summary: "Add an item to a user (yourself, unless an admin)",
    inputNames: { id: "userId" },
    errors: [404],
    example: { params: { id: 2 }, body: { title: "Notebook", description: "A5, dotted" } },
  },
  {
    method: "GET",
    path: "/api/items/",
    procedure: "items.list",
    status: 200,
    summary: "List items, a page at a time",
    errors: [404],
    example: { query: { userId: "2", limit: "10" } },
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
  {
    method: "POST",
    path: "/api/auth/signup",
    procedure: "auth.signUp",
    status: 201,
    summary: "Create an account and sign in (unless SIGNUP=closed)",
    errors: [403, 409],
    example: { body: { name: "Eve", email: "eve@example.com", password: "correct horse battery" } },
  },
  {
    method: "POST",
    path: "/api/auth/signin",
    procedure: "auth.signIn",
    status: 200,
    summary: "Sign in: a session token, also set as the session cookie",
    errors: [401, 429],
    example: { body: { email: "dee@example.com", password: "correct horse battery" } },
  },
  {
    method: "POST",
    path: "/api/auth/signout",
    procedure: "auth.signOut",
    status: 200,
    summary: "End the calling session, on every server",
    errors: [],
    example: {},
  },
  {
    method: "GET",
    path: "/api/auth/me",
    procedure: "auth.me",
    status: 200,
    summary: "The signed-in account",
    errors: [],
    example: {},
  },
  {
    method: "PUT",
    path: "/api/auth/password",
    procedure: "auth.changePassword",
    status: 200,
    summary: "Change your password; your other sessions end",
    errors: [429],
    example: { body: { currentPassword: "correct horse battery", newPassword: "battery staple horse" } },
  },
  {
    method: "POST",
    path: "/api/auth/tokens",
    procedure: "auth.tokens.create",
    status: 201,
    summary: "Create an API token for scripts; its secret is shown this once",
    errors: [],
    example: { body: { name: "nightly export", expiresInDays: 90 } },
  },
  {
    method: "GET",
    path: "/api/auth/tokens",
    procedure: "auth.tokens.list",
    status: 200,
    summary: "Your API tokens, without their secrets",
    errors: [],
    example: {},
  },
  {
    method: "DELETE",
    path: "/api/auth/tokens/{id}",
    procedure: "auth.tokens.revoke",
    status: 200,
    summary: "Revoke one of your API tokens",
    errors: [404],
    example: { params: { id: 1 } },
  },
  {
    method: "GET",
    path: "/api/changes",
    procedure: "changes.list",
    status: 200,
    summary: "The change history in id order, a page at a time (yours; an admin's: everyone's)",
    errors: [],
    example: { query: { after: "0", entity: "user", limit: "10" } },
  },
  {
    method: "GET",
    path: "/api/changes/stream",
    procedure: "changes.onChange",
    status: 200,
    summary: "Follow the changes live, as server-sent events, resuming from an id",
    headerNames: { "Last-Event-ID": "lastEventId" },
    events: changeOutput,
    refusesAtOnce: refusesResumePoint,
    errors: [412],
    example: { query: { after: "0" } },
  },
];

/** `{id}` in a route path: the names of its path parameters. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "");
}
