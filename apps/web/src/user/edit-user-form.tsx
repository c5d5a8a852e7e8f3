import { updateUserInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { sessionKey, useMe } from "../auth/session.ts";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { isStaleVersion } from "../lib/api-errors.ts";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { useTRPC } from "../trpc.ts";
import type { UserWithItems } from "./types.ts";
import { useRefreshUser } from "./use-refresh-user.ts";

export type SaveOutcome = "saved" | "stale" | undefined;

type EditUserFormProps = { user: UserWithItems; onOutcome: (outcome: SaveOutcome) => void };

/** Edits name and email, sending the version it was loaded at: a stale save changes nothing. */
export function EditUserForm({ user, onOutcome }: EditUserFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refreshUser = useRefreshUser(user.id);
  const own = useMe()?.id === user.id;
  // The header says who is signed in: a change to your own name shows there too.
  const refreshHeader = async () => {
    if (own) await queryClient.invalidateQueries({ queryKey: sessionKey });
  };
  const form = useForm({ name: user.name, email: user.email });
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: async (saved) => {
        queryClient.setQueryData(trpc.users.byId.queryKey({ id: user.id }), (old) =>
          old ? { ...old, ...saved, items: old.items } : old,
        );
        onOutcome("saved");
        await Promise.all([refreshHeader(), queryClient.invalidateQueries(trpc.users.list.pathFilter())]);
      },
      onError: async (error) => {
        if (!isStaleVersion(error)) return form.showServerError(error);
        onOutcome("stale");
        await Promise.all([refreshUser(), refreshHeader()]);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    onOutcome(undefined);
    const { name, email } = form.values;
    const changes = {
      ...(name.trim() !== user.name && { name }),
      ...(email.trim().toLowerCase() !== user.email && { email }),
    };
    if (Object.keys(changes).length === 0) {
      form.setErrors({ form: "Nothing to save: change the name or the email first." });
      return;
    }
    const result = validate(updateUserInput, { id: user.id, version: user.version, ...changes });
    if (result.ok) update.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Edit user">
      <div className="row">
        <Field label="Name" autoComplete="off" {...form.field("name")} />
        <Field label="Email" type="email" autoComplete="off" {...form.field("email")} />
      </div>
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
