import { apiTokens, type EntityManager, sessions, users } from "@app/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { callerOf } from "../access.ts";
import type { Caller } from "../auth/caller.ts";
import { clearedSessionCookie, sessionCookie } from "../auth/cookie.ts";
import { hashPassword, unknownAccountHash, verifyPassword } from "../auth/passwords.ts";
import { admitAttempt, forgiveAttempt, keepFailure } from "../auth/throttle.ts";
import { newToken } from "../auth/tokens.ts";
import type { Context } from "../context.ts";
import {
  apiTokenList,
  byIdInput,
  changePasswordInput,
  createApiTokenInput,
  createdApiTokenOutput,
  deletedOutput,
  passwordChangedOutput,
  sessionOutput,
  signedOutOutput,
  signInInput,
  signUpInput,
  userOutput,
} from "../schemas/index.ts";
import { deferredProcedure, procedure } from "../trpc.ts";

const dayMs = 86_400_000;

/** Starts a session for an account in the call's transaction; the cookie is set by the caller. */
async function startSession(em: EntityManager, ctx: Context, userId: number) {
  const now = new Date();
  const { token, hash } = newToken("session");
  const expiresAt = new Date(now.getTime() + ctx.auth.sessionTtlDays * dayMs);
  await sessions.createSession(em, { userId, tokenHash: hash, now, expiresAt });
  return token;
}

function setSessionCookie(ctx: Context, token: string) {
  const maxAgeSeconds = ctx.auth.sessionTtlDays * 86_400;
  ctx.request.setHeader("set-cookie", sessionCookie(token, { secure: ctx.request.secure, maxAgeSeconds }));
}

const wrongCredentials = () => new TRPCError({ code: "UNAUTHORIZED", message: "Wrong email or password" });

/**
 * The current password, checked as a sign-in is (throttled, failures counted): a field error when
 * wrong. Returns the account's email, whose attempt the caller forgives once its change commits.
 */
async function checkCurrentPassword(
  ctx: Context & { em: () => EntityManager },
  caller: Caller,
  password: string,
): Promise<string> {
  const em = ctx.em();
  const account = await users.getAccount(em, caller.id);
  const attempt = { email: account.email, ip: ctx.request.ip, now: new Date() };
  await admitAttempt(em, attempt, ctx.request.setHeader);
  const stored = await users.passwordHashOf(em, caller.id);
  if (!(await verifyPassword(password, stored ?? unknownAccountHash)) || !stored) {
    await keepFailure(em, attempt.now);
    // ZodRealError, not ZodError: it is an Error, so tRPC keeps it as the cause (errors.ts maps it to 400).
    throw new z.ZodRealError([
      {
        code: "custom",
        path: ["currentPassword"],
        message: "The current password is wrong",
        input: undefined,
      },
    ]);
  }
  return account.email;
}

export const authRouter = {
  signUp: deferredProcedure
    .input(signUpInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const passwordHash = await hashPassword(input.password);
      const { user, token } = await ctx.transaction(async (em) => {
        const user = await users.createUser(em, { name: input.name, email: input.email, passwordHash });
        return { user, token: await startSession(em, ctx, user.id) };
      });
      setSessionCookie(ctx, token);
      const { items: _, ...account } = user;
      return { user: account, token };
    }),

  signIn: deferredProcedure
    .input(signInInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const em = ctx.em();
      const attempt = { email: input.email, ip: ctx.request.ip, now: new Date() };
      await admitAttempt(em, attempt, ctx.request.setHeader);
      const account = await users.findCredentials(em, input.email);
      // An unknown email (or an account without a password) verifies against a stand-in hash:
      // the answer and its timing are those of a wrong password.
      const matches = await verifyPassword(input.password, account?.passwordHash ?? unknownAccountHash);
      if (!account?.passwordHash || !matches) {
        await keepFailure(em, attempt.now);
        throw wrongCredentials();
      }
      const token = await ctx.transaction(async (trx) => {
        await forgiveAttempt(trx, input.email);
        return startSession(trx, ctx, account.id);
      });
      setSessionCookie(ctx, token);
      return { user: await users.getAccount(em, account.id), token };
    }),

  signOut: procedure.output(signedOutOutput).mutation(async ({ ctx }) => {
    const caller = callerOf(ctx);
    if (caller.credential?.kind === "token") {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: "This call used an API token, not a session: revoke it with auth.tokens.revoke",
      });
    }
    ctx.request.setHeader("set-cookie", clearedSessionCookie({ secure: ctx.request.secure }));
    if (caller.credential) await sessions.deleteSession(ctx.em(), caller.credential.id);
    return { signedOut: true as const };
  }),

  me: procedure.output(userOutput).query(({ ctx }) => users.getAccount(ctx.em(), callerOf(ctx).id)),

  changePassword: deferredProcedure
    .input(changePasswordInput)
    .output(passwordChangedOutput)
    .mutation(async ({ ctx, input }) => {
      const caller = callerOf(ctx);
      const email = await checkCurrentPassword(ctx, caller, input.currentPassword);
      const passwordHash = await hashPassword(input.newPassword);
      await ctx.transaction(async (em) => {
        await forgiveAttempt(em, email);
        await users.setPasswordHash(em, caller.id, passwordHash);
        const keep = caller.credential?.kind === "session" ? caller.credential.id : undefined;
        await sessions.deleteOtherSessions(em, caller.id, keep);
      });
      return { changed: true as const };
    }),

  tokens: {
    create: procedure
      .input(createApiTokenInput)
      .output(createdApiTokenOutput)
      .mutation(async ({ ctx, input }) => {
        const now = new Date();
        const { token, hash } = newToken("token");
        const expiresAt =
          input.expiresInDays === undefined ? null : new Date(now.getTime() + input.expiresInDays * dayMs);
        const created = await apiTokens.createApiToken(ctx.em(), {
          userId: callerOf(ctx).id,
          name: input.name,
          tokenHash: hash,
          now,
          expiresAt,
        });
        const { lastUsedAt: _, ...shown } = created;
        return { ...shown, token };
      }),

    list: procedure.output(apiTokenList).query(async ({ ctx }) => ({
      items: await apiTokens.listApiTokens(ctx.em(), callerOf(ctx).id),
    })),

    revoke: procedure
      .input(byIdInput)
      .output(deletedOutput)
      .mutation(async ({ ctx, input }) => {
        await apiTokens.revokeApiToken(ctx.em(), callerOf(ctx).id, input.id);
        return { id: input.id };
      }),
  },
} satisfies TRPCRouterRecord;
