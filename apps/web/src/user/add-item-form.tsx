import { createItemInput } from "@app/api/schemas";
import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { useTRPC } from "../trpc.ts";
import { useUserItems } from "./use-user-items.ts";

export function AddItemForm({ userId }: { userId: number }) {
  const trpc = useTRPC();
  const userItems = useUserItems(userId);
  const form = useForm({ title: "", description: "" });
  const create = useMutation(
    trpc.items.create.mutationOptions({
      onSuccess: (item) => {
        form.reset();
        userItems.saved(item);
        form.formRef.current?.querySelector("input")?.focus();
      },
      onError: form.showServerError,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const { title, description } = form.values;
    const result = validate(createItemInput, {
      userId,
      title,
      ...(description.trim() !== "" && { description }),
    });
    if (result.ok) create.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Add an item">
      <Field label="Title" autoComplete="off" {...form.field("title")} />
      <Field label="Description" optional multiline rows={2} {...form.field("description")} />
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add item"}
        </button>
      </div>
    </form>
  );
}
