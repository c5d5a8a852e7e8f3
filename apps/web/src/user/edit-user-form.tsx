import { updateUserInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { sessionKey, useMe } from "../auth/session.ts";
import { Field, SelectField } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { isStaleVersion } from "../lib/api-errors.ts";
import { roleOptions } from "../lib/roles.ts";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { useTRPC } from "../trpc.ts";
import type { UserWithItems } from "./types.ts";
import { useRefreshUser } from "./use-refresh-user.ts";

export type SaveOutcome = "saved" | "stale" | undefined;

type EditUserFormProps = { user: UserWithItems; onOutcome: (outcome: SaveOutcome) => void };

/**
 * Edits name and email, sending the version it was loaded at: a stale save changes nothing. An
 * admin editing someone else also sets their role and a new password (which the API allows admins
 * only); on your own page you change your password in its own form, with the current one, and an
 * admin cannot take their own admin role away here.
 */
export function EditUserForm({ user, onOutcome }: EditUserFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refreshUser = useRefreshUser(user.id);
  const me = useMe();
  const own = me?.id === user.id;
  const adminOfOther = me?.role === "admin" && !own;
  // The header says who is signed in: a change to your own name shows there too.
  const refreshHeader = async () => {
    if (own) await queryClient.invalidateQueries({ queryKey: sessionKey });
  };
  // The role as the select gives it back: any string, checked by the schema on submit.
  const form = useForm<Record<"name" | "email" | "role" | "password", string>>({
    name: user.name,
    email: user.email,
    role: user.role,
    password: "",
  });
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
    const { name, email, role, password } = form.values;
    const changes = {
      ...(name.trim() !== user.name && { name }),
      ...(email.trim().toLowerCase() !== user.email && { email }),
      ...(adminOfOther && role !== user.role && { role }),
      // Empty: keep the current password. Otherwise taken as typed (spaces belong to a passphrase).
      ...(adminOfOther && password !== "" && { password }),
    };
    if (Object.keys(changes).length === 0) {
      const what = adminOfOther ? "the name, email, role or password" : "the name or the email";
      form.setErrors({ form: `Nothing to save: change ${what} first.` });
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
      {adminOfOther && (
        <div className="row">
          <SelectField label="Role" options={roleOptions} {...form.field("role")} />
          <Field
            label="New password"
            type="password"
            autoComplete="new-password"
            optional
            hint="Leave empty to keep their current password, if any."
            {...form.field("password")}
          />
        </div>
      )}
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
