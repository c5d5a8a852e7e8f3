import { sessions, users } from "@app/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { hashPassword } from "../auth/passwords.ts";
import {
  byIdInput,
  createUserInput,
  deletedOutput,
  listUsersInput,
  updateUserInput,
  userOutput,
  userPage,
} from "../schemas/index.ts";
import { deferredProcedure, procedure } from "../trpc.ts";

export const usersRouter = {
  // Deferred: a password given is hashed before the transaction opens.
  create: deferredProcedure
    .input(createUserInput)
    .output(userOutput)
    .mutation(async ({ ctx, input }) => {
      const { password, ...fields } = input;
      const passwordHash = password === undefined ? null : await hashPassword(password);
      return await ctx.transaction((em) => users.createUser(em, { ...fields, passwordHash }));
    }),

  list: procedure
    .input(listUsersInput)
    .output(userPage)
    .query(({ ctx, input }) => users.listUsers(ctx.em(), input)),

  byId: procedure
    .input(byIdInput)
    .output(userOutput)
    .query(({ ctx, input }) => ctx.loaders.user.load(input.id)),

  update: deferredProcedure
    .input(updateUserInput)
    .output(userOutput)
    .mutation(async ({ ctx, input }) => {
      const { password, ...changes } = input;
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      return await ctx.transaction(async (em) => {
        const user = await users.updateUser(em, { ...changes, passwordHash });
        // A password reset (usually: the old one leaked) ends every session of the account.
        if (passwordHash !== undefined) await sessions.deleteOtherSessions(em, user.id);
        return user;
      });
    }),

  delete: procedure
    .input(byIdInput)
    .output(deletedOutput)
    .mutation(async ({ ctx, input }) => {
      await users.deleteUser(ctx.em(), input.id);
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
