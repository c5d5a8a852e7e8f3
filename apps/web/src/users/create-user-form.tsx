import { createUserInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field, SelectField } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { roleOptions } from "../lib/roles.ts";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { Link } from "../router.tsx";
import { useTRPC } from "../trpc.ts";

type Created = { id: number; name: string; canSignIn: boolean };

/**
 * An admin creates an account: name and email, and optionally a password (without one the person
 * cannot sign in until an admin sets one on their page) and a role (a plain user unless chosen).
 */
export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm({ name: "", email: "", password: "", role: "user" });
  const [created, setCreated] = useState<Created>();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (user, input) => {
        form.reset();
        setCreated({ id: user.id, name: user.name, canSignIn: input.password !== undefined });
        await queryClient.invalidateQueries(trpc.users.list.pathFilter());
      },
      onError: form.showServerError,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(undefined);
    const { name, email, password, role } = form.values;
    // The server's own schema: the same rules, checked before a round trip. An empty password is
    // none at all (taken as typed otherwise: spaces belong to a passphrase); the default role is
    // left to the server.
    const result = validate(createUserInput, {
      name,
      email,
      ...(password !== "" && { password }),
      ...(role !== "user" && { role }),
    });
    if (result.ok) create.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="New user">
      <div className="row">
        <Field label="Name" autoComplete="off" {...form.field("name")} />
        <Field label="Email" type="email" autoComplete="off" {...form.field("email")} />
      </div>
      <div className="row">
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          optional
          hint="Without a password this person cannot sign in until one is set on their page."
          {...form.field("password")}
        />
        <SelectField label="Role" options={roleOptions} {...form.field("role")} />
      </div>
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
        {created && (
          <p className="notice inline" role="status">
            Created <Link href={`/users/${created.id}`}>{created.name}</Link>.
            {!created.canSignIn && " They cannot sign in until a password is set."}
          </p>
        )}
      </div>
    </form>
  );
}
