import type { Item, User } from "@app/db";
import type { ItemOutput, UserOutput } from "./schemas/index.ts";

/** An item as the API shows it: the owner as `ownerId`, timestamps as ISO strings. */
export function toItemOutput(item: Item): ItemOutput {
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? null,
    ownerId: item.owner.id,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}

/** A user as the API shows it; `items` only when they were loaded for this call. */
export function toUserOutput(user: User, options: { withItems: boolean }): UserOutput {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    version: user.version,
    ...(options.withItems && { items: user.items.getItems().map(toItemOutput) }),
  };
}
