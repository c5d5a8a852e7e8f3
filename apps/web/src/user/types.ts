import type { RouterOutputs } from "@app/client";

/** A user as `users.byId` returns it: with its items. */
export type UserWithItems = RouterOutputs["users"]["byId"];
export type Item = NonNullable<UserWithItems["items"]>[number];
