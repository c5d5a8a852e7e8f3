import { users } from "@app/db";
import type { TRPCRouterRecord } from "@trpc/server";
import {
  byIdInput,
  createUserInput,
  deletedOutput,
  listUsersInput,
  updateUserInput,
  userOutput,
  userPage,
} from "../schemas/index.ts";
import { toUserOutput } from "../serializers.ts";
import { procedure } from "../trpc.ts";

export const usersRouter = {
  create: procedure
    .input(createUserInput)
    .output(userOutput)
    .mutation(async ({ ctx, input }) => {
      return toUserOutput(await users.createUser(ctx.em(), input));
    }),

  list: procedure
    .input(listUsersInput)
    .output(userPage)
    .query(async ({ ctx, input }) => {
      const page = await users.listUsers(ctx.em(), input);
      return {
        items: page.items.map(toUserOutput),
        nextCursor: page.nextCursor,
      };
    }),

  byId: procedure
    .input(byIdInput)
    .output(userOutput)
    .query(async ({ ctx, input }) => toUserOutput(await ctx.loaders.user.load(input.id))),

  update: procedure
    .input(updateUserInput)
    .output(userOutput)
    .mutation(async ({ ctx, input }) => toUserOutput(await users.updateUser(ctx.em(), input))),

  delete: procedure
    .input(byIdInput)
    .output(deletedOutput)
    .mutation(async ({ ctx, input }) => {
      await users.deleteUser(ctx.em(), input.id);
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
