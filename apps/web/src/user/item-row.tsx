import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ConfirmButton } from "../components/confirm-button.tsx";
import { FormError } from "../components/states.tsx";
import { describeError } from "../lib/api-errors.ts";
import { useTRPC } from "../trpc.ts";
import { EditItemForm } from "./edit-item-form.tsx";
import type { Item } from "./types.ts";
import { useUserItems } from "./use-user-items.ts";

/** One item: shown, or edited in place. */
export function ItemRow({ item }: { item: Item }) {
  const trpc = useTRPC();
  const userItems = useUserItems(item.ownerId);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const remove = useMutation(
    trpc.items.delete.mutationOptions({ onSuccess: ({ id }) => userItems.deleted(id) }),
  );

  // Back from editing: focus returns to the Edit button, not to the top of the page.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (editing) {
    return (
      <li className="item editing">
        <EditItemForm item={item} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="item">
      <div className="item-text">
        <p className="title">{item.title}</p>
        {item.description && <p className="description">{item.description}</p>}
        {remove.isError && <FormError>{describeError(remove.error)}</FormError>}
      </div>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          ref={editButton}
          aria-label={`Edit ${item.title}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <ConfirmButton
          label={`Delete ${item.title}`}
          question={`Delete “${item.title}”?`}
          confirmLabel="Delete item"
          disabled={remove.isPending}
          onConfirm={() => remove.mutate({ id: item.id })}
        >
          Delete
        </ConfirmButton>
      </div>
    </li>
  );
}
