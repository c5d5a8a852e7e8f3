import { z } from "zod";
import { cursor, id, limit, pageOf, storableText, timestamp } from "./common.ts";

export const itemTitle = storableText.trim().min(1).max(200);
export const itemDescription = storableText.trim().max(2000).nullable();

export const itemOutput = z.object({
  id,
  title: z.string(),
  description: z.string().nullable(),
  ownerId: id,
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ItemOutput = z.infer<typeof itemOutput>;

export const createItemInput = z.object({
  /** The owner: the caller when left out. Only an admin may name someone else. */
  userId: id.optional(),
  title: itemTitle,
  description: itemDescription.optional(),
});
export type CreateItemInput = z.input<typeof createItemInput>;

export const listItemsInput = z.object({ userId: id.optional(), limit, cursor }).prefault({});
export type ListItemsInput = z.input<typeof listItemsInput>;

export const itemPage = pageOf(itemOutput);

export const updateItemInput = z
  .object({ id, title: itemTitle.optional(), description: itemDescription.optional() })
  .refine((input) => input.title !== undefined || input.description !== undefined, {
    message: "Give at least one of title or description to change",
  });
export type UpdateItemInput = z.input<typeof updateItemInput>;
