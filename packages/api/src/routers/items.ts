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
import { procedure } from "../trpc.ts";

export const itemsRouter = {
  create: procedure
    .input(createItemInput)
    .output(itemOutput)
    .mutation(async ({ ctx, input }) => {
      const userId = input.userId ?? callerOf(ctx).id;
      return await items.createItem(ctx.em(), { ...input, userId });
    }),

  list: procedure
    .input(listItemsInput)
    .output(itemPage)
    .query(async ({ ctx, input }) => {
      // A user's lists hold their own items only (access.ts decides; ownerScope carries it).
      return await items.listItems(ctx.em(), { ...input, userId: input.userId ?? ctx.ownerScope });
    }),

  byId: procedure
    .input(byIdInput)
    .output(itemOutput)
    .query(({ ctx, input }) => ctx.loaders.item.load(input.id)),

  update: procedure
    .input(updateItemInput)
    .output(itemOutput)
    .mutation(({ ctx, input }) => items.updateItem(ctx.em(), input)),

  delete: procedure
    .input(byIdInput)
    .output(deletedOutput)
    .mutation(async ({ ctx, input }) => {
      await items.deleteItem(ctx.em(), input.id);
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
