import { createUserInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { Link } from "../router.tsx";
import { useTRPC } from "../trpc.ts";

export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm({ name: "", email: "" });
  const [created, setCreated] = useState<{ id: number; name: string }>();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: async (user) => {
        form.reset();
        setCreated(user);
        await queryClient.invalidateQueries(trpc.users.list.pathFilter());
      },
      onError: form.showServerError,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(undefined);
    // The server's own schema: the same rules, checked before a round trip.
    const result = validate(createUserInput, form.values);
    if (result.ok) create.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="New user">
      <div className="row">
        <Field label="Name" autoComplete="off" {...form.field("name")} />
        <Field label="Email" type="email" autoComplete="off" {...form.field("email")} />
      </div>
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
        {created && (
          <p className="notice inline" role="status">
            Created <Link href={`/users/${created.id}`}>{created.name}</Link>.
          </p>
        )}
      </div>
    </form>
  );
}
