import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import type { Caller } from "./auth/caller.ts";
import type { Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";
import { t } from "./init.ts";
import { id } from "./schemas/common.ts";
import { password, userRole } from "./schemas/user.ts";

/**
 * Who may call what: the one place it is decided. Every procedure path has exactly one rule
 * (`access.test.ts` holds the table to the router); a path without one is refused. Rules run
 * before the call's unit of work, on the raw input: a field they cannot read is left to the
 * procedure's own validation, which then refuses it (400), since the rules read each field with
 * the procedure's own schema for it.
 *
 * - anonymous callers: `health`, `auth.signUp` (unless SIGNUP=closed), `auth.signIn`; else 401;
 * - a user: their own account and items; someone else's answer 404, as if they did not exist;
 *   `users.list` and `users.create` answer 403, and so does changing a role or setting a password
 *   through `users.update`;
 * - an admin: everything.
 */
type RuleInput = { ctx: Context; caller: Caller; input: () => Promise<unknown> };

/** What a rule hands the procedure: for lists, whose records a user may see (undefined: anyone's). */
type Grant = { ownerScope?: number };

type Rule =
  | { anonymous: true; check?: (ctx: Context) => void }
  | { anonymous?: false; check: (rule: RuleInput) => Promise<Grant | undefined> | Grant | undefined };

const anyone: Rule = { anonymous: true };

const signedIn: Rule = { check: () => undefined };

const admin: Rule = {
  check: ({ caller }) => {
    if (caller.role !== "admin") throw forbidden("Only an admin may do this");
    return undefined;
  },
};

type Check = (rule: RuleInput) => Promise<Grant | undefined>;

/** The account named by `field` (default `id`) must be the caller's own. */
function ownAccountCheck(field: string, extra?: (input: unknown) => void): Check {
  return async ({ caller, input }) => {
    if (caller.role === "admin") return undefined;
    const raw = await input();
    const userId = fieldOf(raw, field, id);
    if (userId !== undefined && userId !== caller.id) throw notFound(`User ${userId} not found`);
    extra?.(raw);
    return undefined;
  };
}

function ownAccount(field = "id", extra?: (input: unknown) => void): Rule {
  return { check: ownAccountCheck(field, extra) };
}

/** The item named by `id` must belong to the caller. Reads through the request's loaders. */
const ownItem: Rule = {
  check: async ({ ctx, caller, input }) => {
    if (caller.role === "admin") return undefined;
    const itemId = fieldOf(await input(), "id", id);
    if (itemId === undefined) return undefined;
    const item = await ctx.loaders.item.load(itemId);
    if (item.ownerId !== caller.id) throw notFound(`Item ${itemId} not found`);
    return undefined;
  },
};

/** Lists: a user sees only their own; naming someone else is a 404 as for a missing user. */
const ownList: Rule = {
  check: async (rule) => {
    await ownAccountCheck("userId")(rule);
    return rule.caller.role === "admin" ? undefined : { ownerScope: rule.caller.id };
  },
};

/** The change log: a user sees the changes to their own account and items, an admin all. */
const ownHistory: Rule = {
  check: async (rule) => {
    await ownAccountCheck("ownerId")(rule);
    return rule.caller.role === "admin" ? undefined : { ownerScope: rule.caller.id };
  },
};

const rules: Record<string, Rule> = {
  health: anyone,
  "auth.signUp": {
    anonymous: true,
    check: (ctx) => {
      if (ctx.auth.signup === "closed") throw forbidden("Sign-up is closed: ask an admin for an account");
    },
  },
  "auth.signIn": anyone,
  "auth.signOut": signedIn,
  "auth.me": signedIn,
  "auth.changePassword": signedIn,
  "auth.tokens.create": signedIn,
  "auth.tokens.list": signedIn,
  "auth.tokens.revoke": signedIn,
  "users.create": admin,
  "users.list": admin,
  "users.byId": ownAccount(),
  "users.update": ownAccount("id", (raw) => {
    if (fieldOf(raw, "role", userRole) !== undefined) throw forbidden("Only an admin may change a role");
    if (fieldOf(raw, "password", password) !== undefined) {
      throw forbidden("Change your own password with auth.changePassword");
    }
  }),
  "users.delete": ownAccount(),
  "items.create": ownAccount("userId"),
  "items.list": ownList,
  "items.byId": ownItem,
  "items.update": ownItem,
  "items.delete": ownItem,
  "changes.list": ownHistory,
  "changes.onChange": ownHistory,
};

/** The procedure paths that have a rule (for the test that holds the table to the router). */
export const governedPaths: readonly string[] = Object.keys(rules);

/** The procedures anyone may call without signing in (the OpenAPI document marks the others). */
export const anonymousPaths: ReadonlySet<string> = new Set(
  Object.entries(rules)
    .filter(([, rule]) => rule.anonymous)
    .map(([path]) => path),
);

/**
 * The middleware that applies the rules, before the unit of work. It also refuses a mutation from
 * a page of another origin unless it carries an `Authorization` header: a browser attaches the
 * session cookie to cross-site requests by itself, never that header (defence in depth against
 * CSRF; the JSON-only body rule is the first line).
 */
export const authorize = t.middleware(async ({ ctx, path, type, getRawInput, next }) => {
  const rule = rules[path];
  if (!rule) throw forbidden(`No access rule covers ${path}`);
  if (type === "mutation" && ctx.request.foreignOrigin && ctx.request.credential?.from !== "header") {
    throw forbidden("Cross-origin request refused: send the Authorization header from other origins");
  }
  if (rule.anonymous) {
    rule.check?.(ctx);
    return next({ ctx: granted(null, undefined) });
  }
  const caller = await ctx.identify().catch((error: unknown) => {
    throw toTRPCError(error);
  });
  if (!caller) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: ctx.request.credential
        ? "Your session has ended or the token is not valid: sign in again"
        : "Sign in first: send a session cookie or an Authorization: Bearer token",
    });
  }
  let grant: Grant | undefined;
  try {
    grant = await rule.check({ ctx, caller, input: getRawInput });
  } catch (error) {
    throw toTRPCError(error);
  }
  return next({ ctx: granted(caller, grant) });
});

/** What the procedure learns: who calls (null for anonymous procedures) and what they may see. */
function granted(
  caller: Caller | null,
  grant: Grant | undefined,
): { caller: Caller | null; ownerScope?: number } {
  return grant?.ownerScope === undefined ? { caller } : { caller, ownerScope: grant.ownerScope };
}

/** The signed-in caller of a procedure whose rule requires one. */
export function callerOf(ctx: { caller: Caller | null }): Caller {
  if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return ctx.caller;
}

/** A field of the raw input as the procedure's own schema reads it; undefined if absent or invalid. */
function fieldOf<T>(raw: unknown, field: string, schema: z.ZodType<T>): T | undefined {
  if (typeof raw !== "object" || raw === null || !Object.hasOwn(raw, field)) return undefined;
  const parsed = schema.safeParse(Reflect.get(raw, field));
  return parsed.success ? parsed.data : undefined;
}

function forbidden(message: string): TRPCError {
  return new TRPCError({ code: "FORBIDDEN", message });
}

function notFound(message: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message });
}
