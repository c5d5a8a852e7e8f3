import { items } from "@app/db";
import type { TRPCRouterRecord } from "@trpc/server";
import { callerOf } from "../access.ts";
import {
  byIdInput,
  createItemInput,
  deletedOutput,
  itemOutput,
  itemPage,
  listItemsInput,
  updateItemInput,
} from "../schemas/index.ts";
import { toItemOutput } from "../serializers.ts";
import { procedure } from "../trpc.ts";

export const itemsRouter = {
  create: procedure
    .input(createItemInput)
    .output(itemOutput)
    .mutation(async ({ ctx, input }) => {
      const userId = input.userId ?? callerOf(ctx).id;
      return toItemOutput(await items.createItem(ctx.em(), { ...input, userId }));
    }),

  list: procedure
    .input(listItemsInput)
    .output(itemPage)
    .query(async ({ ctx, input }) => {
      // A user's lists hold their own items only (access.ts decides; ownerScope carries it).
      const page = await items.listItems(ctx.em(), { ...input, userId: input.userId ?? ctx.ownerScope });
      return { items: page.items.map(toItemOutput), nextCursor: page.nextCursor };
    }),

  byId: procedure
    .input(byIdInput)
    .output(itemOutput)
    .query(async ({ ctx, input }) => toItemOutput(await ctx.loaders.item.load(input.id))),

  update: procedure
    .input(updateItemInput)
    .output(itemOutput)
    .mutation(async ({ ctx, input }) => toItemOutput(await items.updateItem(ctx.em(), input))),

  delete: procedure
    .input(byIdInput)
    .output(deletedOutput)
    .mutation(async ({ ctx, input }) => {
      await items.deleteItem(ctx.em(), input.id);
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
