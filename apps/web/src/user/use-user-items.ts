import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";
import type { Item, UserWithItems } from "./types.ts";

/**
 * Puts an item just saved here into its owner's cached page (`users.byId`), from the answer,
 * rather than refetching the user and all its items. The same change arriving live finds it done.
 */
export function useUserItems(ownerId: number) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = (change: (items: Item[]) => Item[]) =>
    queryClient.setQueryData(trpc.users.byId.queryKey({ id: ownerId }), (user): UserWithItems | undefined =>
      user ? { ...user, items: change(user.items ?? []) } : user,
    );
  return {
    saved(item: Item) {
      update((items) =>
        items.some((known) => known.id === item.id)
          ? items.map((known) => (known.id === item.id ? item : known))
          : [...items, item].sort((a, b) => a.id - b.id),
      );
    },
    deleted(id: number) {
      update((items) => items.filter((item) => item.id !== id));
    },
  };
}
