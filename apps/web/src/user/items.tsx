import { Empty } from "../components/states.tsx";
import { AddItemForm } from "./add-item-form.tsx";
import { ItemRow } from "./item-row.tsx";
import type { UserWithItems } from "./types.ts";

/** A user's items, in the order they were added, and a form for one more. */
export function Items({ user }: { user: UserWithItems }) {
  const items = user.items ?? [];
  return (
    <section className="card" aria-labelledby="items-heading">
      <h2 id="items-heading">
        Items <span className="count">({items.length})</span>
      </h2>
      {items.length === 0 ? (
        <Empty>No items yet.</Empty>
      ) : (
        <ul className="item-list" aria-label="Items">
          {items.map((item) => (
            <ItemRow key={item.id} item={item} />
          ))}
        </ul>
      )}
      <h3>Add an item</h3>
      <AddItemForm userId={user.id} />
    </section>
  );
}
