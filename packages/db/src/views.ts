import type { Item } from "./entities/item.ts";
import type { User } from "./entities/user.ts";

/** An item as the repositories hand it out: plain data, the owner as its id. */
export type ItemView = Pick<Item, "id" | "title" | "description" | "createdAt" | "updatedAt"> & {
  ownerId: number;
};

/** A user as the repositories hand it out; `items` only when they were asked for. */
export type UserView = Pick<User, "id" | "name" | "email" | "createdAt" | "updatedAt" | "version"> & {
  items?: ItemView[];
};

/** The view of a managed Item entity, after a write. */
export function itemView(item: Item): ItemView {
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? null,
    ownerId: item.owner.id,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

/** The view of a managed User entity, after a write (no items: writes do not load them). */
export function userView(user: User): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}
