import { updateUserInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
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

type FormValues = Record<"name" | "email" | "role" | "password", string>;

function valuesOf(user: UserWithItems): FormValues {
  return { name: user.name, email: user.email, role: user.role, password: "" };
}

function describeUser(user: UserWithItems): string {
  return `name “${user.name}”, email ${user.email} and role ${user.role}`;
}

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
  // The user the form was filled from: what a save compares with, and the version it sends.
  const [base, setBase] = useState(user);
  // The role as the select gives it back: any string, checked by the schema on submit.
  const form = useForm<FormValues>(valuesOf(base));
  // Set after a save or a refused one: take the next version of the user, whatever was typed.
  const [takeNext, setTakeNext] = useState(false);
  const { values } = form;
  const edited =
    values.name !== base.name ||
    values.email !== base.email ||
    values.role !== base.role ||
    values.password !== "";
  const changedElsewhere = user.version !== base.version;
  if (changedElsewhere && (!edited || takeNext)) {
    // A newer user (saved here or anywhere else): nothing typed is lost, so the form shows it.
    setBase(user);
    form.reset(valuesOf(user));
    setTakeNext(false);
  }
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: async (saved) => {
        setTakeNext(true);
        queryClient.setQueryData(trpc.users.byId.queryKey({ id: user.id }), (old) =>
          old ? { ...old, ...saved, items: old.items } : old,
        );
        onOutcome("saved");
        await Promise.all([refreshHeader(), queryClient.invalidateQueries(trpc.users.list.pathFilter())]);
      },
      onError: async (error) => {
        if (!isStaleVersion(error)) return form.showServerError(error);
        setTakeNext(true);
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
      ...(name.trim() !== base.name && { name }),
      ...(email.trim().toLowerCase() !== base.email && { email }),
      ...(adminOfOther && role !== base.role && { role }),
      // Empty: keep the current password. Otherwise taken as typed (spaces belong to a passphrase).
      ...(adminOfOther && password !== "" && { password }),
    };
    if (Object.keys(changes).length === 0) {
      const what = adminOfOther ? "the name, email, role or password" : "the name or the email";
      form.setErrors({ form: `Nothing to save: change ${what} first.` });
      return;
    }
    const result = validate(updateUserInput, { id: user.id, version: base.version, ...changes });
    if (result.ok) update.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Edit user">
      {/* Not while saving: our own save may reach the cache (live) before its answer does. */}
      {changedElsewhere && !update.isPending && (
        <div className="notice warning" role="status">
          <p>
            This user was just changed elsewhere. Saving your edits now would be refused; their version has{" "}
            {describeUser(user)}.
          </p>
          <button type="button" className="secondary" onClick={() => setTakeNext(true)}>
            Discard my edits and show it
          </button>
        </div>
      )}
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
