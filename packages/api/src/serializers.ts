import type { ItemView, UserView } from "@app/db";
import type { ItemOutput, UserOutput } from "./schemas/index.ts";

/** An item as the API shows it: timestamps as ISO strings. */
export function toItemOutput(item: ItemView): ItemOutput {
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? null,
    ownerId: item.ownerId,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}

/** A user as the API shows it; `items` only when the view carries them. */
export function toUserOutput(user: UserView): UserOutput {
  const output: UserOutput = {
    id: user.id,
    name: user.name,
    email: user.email,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    version: user.version,
  };
  if (user.items) output.items = user.items.map(toItemOutput);
  return output;
}
