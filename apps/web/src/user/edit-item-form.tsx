import { updateItemInput } from "@app/api/schemas";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { useTRPC } from "../trpc.ts";
import type { Item } from "./types.ts";
import { useUserItems } from "./use-user-items.ts";

type EditItemFormProps = { item: Item; onDone: () => void };

export function EditItemForm({ item, onDone }: EditItemFormProps) {
  const trpc = useTRPC();
  const userItems = useUserItems(item.ownerId);
  // The item as it was when editing began: a change made elsewhere meanwhile is pointed out.
  const [base] = useState(item);
  const form = useForm({ title: item.title, description: item.description ?? "" });
  const update = useMutation(
    trpc.items.update.mutationOptions({
      onSuccess: (saved) => {
        userItems.saved(saved);
        onDone();
      },
      onError: form.showServerError,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const { title, description } = form.values;
    // An emptied description clears it (null), rather than leaving the old one.
    const result = validate(updateItemInput, {
      id: item.id,
      title,
      description: description.trim() === "" ? null : description,
    });
    if (result.ok) update.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form
      ref={form.formRef}
      onSubmit={submit}
      onKeyDown={(event) => event.key === "Escape" && onDone()}
      noValidate
      aria-label={`Edit ${item.title}`}
    >
      {(item.title !== base.title || item.description !== base.description) && (
        <p className="notice warning" role="status">
          This item was just changed elsewhere: it is now “{item.title}”
          {item.description ? ` (${item.description})` : ", with no description"}. Saving replaces it with
          yours.
        </p>
      )}
      <Field label="Title" autoComplete="off" autoFocus {...form.field("title")} />
      <Field label="Description" optional multiline rows={2} {...form.field("description")} />
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save item"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
