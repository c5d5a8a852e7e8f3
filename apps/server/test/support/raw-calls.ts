import {
  byIdInput,
  changePasswordInput,
  createApiTokenInput,
  createItemInput,
  createUserInput,
  listChangesInput,
  listItemsInput,
  listUsersInput,
  signInInput,
  signUpInput,
  updateItemInput,
  updateUserInput,
} from "@app/api/schemas";
import type { z } from "zod";
import type { TestServer } from "./harness.ts";

/** One tRPC procedure as a raw HTTP caller sees it, with the schema that judges its input. */
export type ProcedureSpec = { path: string; kind: "query" | "mutation"; schema: z.ZodType | null };

/**
 * Every query and mutation of the API (the subscription `changes.onChange` has its own tests).
 * `health`, `auth.signOut`, `auth.me` and `auth.tokens.list` take no input, so any payload is ignored.
 */
export const procedures: ProcedureSpec[] = [
  { path: "users.create", kind: "mutation", schema: createUserInput },
  { path: "users.list", kind: "query", schema: listUsersInput },
  { path: "users.byId", kind: "query", schema: byIdInput },
  { path: "users.update", kind: "mutation", schema: updateUserInput },
  { path: "users.delete", kind: "mutation", schema: byIdInput },
  { path: "items.create", kind: "mutation", schema: createItemInput },
  { path: "items.list", kind: "query", schema: listItemsInput },
  { path: "items.byId", kind: "query", schema: byIdInput },
  { path: "items.update", kind: "mutation", schema: updateItemInput },
  { path: "items.delete", kind: "mutation", schema: byIdInput },
  { path: "health", kind: "query", schema: null },
  { path: "auth.signUp", kind: "mutation", schema: signUpInput },
  { path: "auth.signIn", kind: "mutation", schema: signInInput },
  { path: "auth.signOut", kind: "mutation", schema: null },
  { path: "auth.me", kind: "query", schema: null },
  { path: "auth.changePassword", kind: "mutation", schema: changePasswordInput },
  { path: "auth.tokens.create", kind: "mutation", schema: createApiTokenInput },
  { path: "auth.tokens.list", kind: "query", schema: null },
  { path: "auth.tokens.revoke", kind: "mutation", schema: byIdInput },
  { path: "changes.list", kind: "query", schema: listChangesInput },
];

export type RawAnswer = { status: number; body: unknown };

/**
 * Sends `payload` as a procedure's input the way any HTTP client could: a query as `?input=`, a
 * mutation as a JSON body. No typed client, so nothing stops a wrong type on the way.
 */
export async function callRaw(
  url: string,
  procedure: ProcedureSpec,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return callRawJson(url, procedure, JSON.stringify(payload), headers);
}

/**
 * Like callRaw, with the input as JSON text: numbers spelled as no JSON.stringify writes them
 * (`2.147483648e9`, `1E400`, `-0`, a hundred digits) reach the server's parser as written.
 */
export async function callRawJson(
  url: string,
  procedure: ProcedureSpec,
  json: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response =
    procedure.kind === "query"
      ? await fetch(`${url}/trpc/${procedure.path}?input=${encodeURIComponent(json)}`, { headers })
      : await fetch(`${url}/trpc/${procedure.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: json,
        });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * Every row of the tables, straight from the database, in id order: "unchanged" means equal to
 * this. Of sessions, which rows exist (their last use and expiry move as they are used).
 */
export async function snapshotRows(server: TestServer): Promise<Record<string, unknown[]>> {
  const em = server.orm.em.fork();
  return {
    users: await em.execute("select * from users order by id"),
    items: await em.execute("select * from items order by id"),
    sessions: await em.execute("select id, user_id, token_hash, created_at from sessions order by id"),
    apiTokens: await em.execute("select * from api_tokens order by id"),
    signInAttempts: await em.execute("select * from sign_in_attempts order by id"),
  };
}

/** The tRPC error fields a 400 must carry. */
export type BadRequestBody = {
  error: {
    message: string;
    data: {
      code: string;
      httpStatus: number;
      zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null;
    };
  };
};

/** Narrows a raw answer's body to a tRPC error, or throws with the body in the message. */
export function errorBody(answer: RawAnswer): BadRequestBody["error"] {
  const body = answer.body as Partial<BadRequestBody> | null;
  if (!body?.error?.data)
    throw new Error(`not a tRPC error (${answer.status}): ${JSON.stringify(answer.body)}`);
  return body.error;
}

/** An admin account raw calls can be sent as: its id and its `Authorization` header. */
export type RawCaller = { id: number; headers: Record<string, string> };

/**
 * Two admins to send raw calls as, kept working. A payload that turns out valid may delete an
 * account or demote it (`users.delete`, `users.update` with a role), or end the session that sent
 * it (`auth.signOut`): `callerFor(id)` picks an admin other than the account `id` names, so no call
 * removes its own sender's account; `restore()`, run after a call that may have changed accounts or
 * sessions, replaces an admin that lost its access by a new account, signed up (no sign-in, which
 * the fuzzed sign-ins may have throttled) and promoted by the other. One admin always works.
 */
export async function adminCallers(server: TestServer) {
  let serial = 0;
  const callers: RawCaller[] = [{ id: server.admin.id, headers: server.adminHeaders }];
  const stillAdmin = async (caller: RawCaller) => {
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: caller.headers });
    const body = (await me.json()) as { result?: { data?: { role?: string } } };
    return me.status === 200 && body.result?.data?.role === "admin";
  };
  const newAdmin = async (promoter: RawCaller): Promise<RawCaller> => {
    serial += 1;
    const { user, token } = await server.signUp(`Fuzz admin ${serial}`, `fuzz-admin-${serial}@example.net`);
    const promoted = await callRaw(server.url, usersUpdate, { id: user.id, role: "admin" }, promoter.headers);
    if (promoted.status !== 200)
      throw new Error(`could not promote ${user.id}: ${JSON.stringify(promoted.body)}`);
    return { id: user.id, headers: { authorization: `Bearer ${token}` } };
  };
  callers.push(await newAdmin(callers[0] as RawCaller));
  return {
    /** An admin whose own account is not `named`. */
    callerFor(named: number | undefined): RawCaller {
      const caller = callers.find((c) => c.id !== named);
      if (!caller) throw new Error("no admin to call as");
      return caller;
    },
    /** Replaces any admin that was deleted, demoted or signed out since the last check. */
    async restore(): Promise<void> {
      const working = await Promise.all(callers.map(stillAdmin));
      const promoter = callers.find((_, i) => working[i]);
      if (!promoter) throw new Error("every admin lost its access at once");
      for (const [i, ok] of working.entries()) if (!ok) callers[i] = await newAdmin(promoter);
    },
  };
}

const usersUpdate: ProcedureSpec = { path: "users.update", kind: "mutation", schema: updateUserInput };
