import { useMutation, useQueryClient } from "@tanstack/react-query";
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
  const remove = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: async () => {
        navigate("/", `Deleted ${user.name}.`);
        await queryClient.invalidateQueries(trpc.users.list.pathFilter());
      },
    }),
  );
  const items = user.items?.length ?? 0;
  return (
    <>
      <p>
        Deletes {user.name} and {countItems(items)}. This cannot be undone.
      </p>
      <ConfirmButton
        question={`Delete ${user.name} and ${countItems(items)}? This cannot be undone.`}
        confirmLabel="Delete user"
        disabled={remove.isPending}
        onConfirm={() => remove.mutate({ id: user.id })}
      >
        {remove.isPending ? "Deleting…" : "Delete user"}
      </ConfirmButton>
      {remove.isError && <FormError>{describeError(remove.error)}</FormError>}
    </>
  );
}
