import { useMutation, useQueryClient } from "@tanstack/react-query";
import { endSession, useMe } from "../auth/session.ts";
import { ConfirmButton } from "../components/confirm-button.tsx";
import { FormError } from "../components/states.tsx";
import { describeError } from "../lib/api-errors.ts";
import { navigate } from "../router.tsx";
import { useTRPC } from "../trpc.ts";
import type { UserWithItems } from "./types.ts";

function countItems(count: number): string {
  return count === 1 ? "its 1 item" : `its ${count} items`;
}

export function DeleteUser({ user }: { user: UserWithItems }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Deleting your own account ends your sessions: back to signing in, not to a page you cannot load.
  const own = useMe()?.id === user.id;
  const remove = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: async () => {
        if (own) return endSession(queryClient, "Your account was deleted.");
        navigate("/", { notice: `Deleted ${user.name}.` });
        await queryClient.invalidateQueries(trpc.users.list.pathFilter());
      },
    }),
  );
  const items = user.items?.length ?? 0;
  return (
    <>
      <p>
        {own ? "Deletes your account" : `Deletes ${user.name}`} and {countItems(items)}. This cannot be
        undone.
      </p>
      <ConfirmButton
        question={
          own
            ? `Delete your account and ${countItems(items)}? You will be signed out. This cannot be undone.`
            : `Delete ${user.name} and ${countItems(items)}? This cannot be undone.`
        }
        confirmLabel={own ? "Delete my account" : "Delete user"}
        disabled={remove.isPending}
        onConfirm={() => remove.mutate({ id: user.id })}
      >
        {remove.isPending ? "Deleting…" : own ? "Delete my account" : "Delete user"}
      </ConfirmButton>
      {remove.isError && <FormError>{describeError(remove.error)}</FormError>}
    </>
  );
}
