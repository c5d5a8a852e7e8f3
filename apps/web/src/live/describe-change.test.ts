import { describe, expect, it } from "vitest";
import { timeAgo } from "../lib/time-ago.ts";
import { describeChange, itemTitlesAt } from "./describe-change.ts";
import type { HistoryEntry } from "./history-cache.ts";

const at = "2025-01-01T00:00:00.000Z";

/** A change to user 4's records (its owner does not change how it reads). */
function entry(
  partial: Omit<HistoryEntry, "at" | "actorId" | "ownerId"> & Partial<HistoryEntry>,
): HistoryEntry {
  return { at, actorId: 1, ownerId: 4, ...partial };
}

describe("describeChange", () => {
  it("says what happened to a user, one sentence for several fields", () => {
    expect(describeChange(entry({ id: 1, entity: "user", entityId: 4, op: "create" }), undefined)).toBe(
      "Account created",
    );
    const renamed = entry({
      id: 2,
      entity: "user",
      entityId: 4,
      op: "update",
      version: 2,
      fields: { name: ["Bo", "Bob"], email: ["bo@example.com", "bob@example.com"], role: ["user", "admin"] },
    });
    expect(describeChange(renamed, undefined)).toBe(
      "Name changed from “Bo” to “Bob”, email changed from “bo@example.com” to “bob@example.com” and role changed from “user” to “admin”",
    );
    // A password never appears in a change, and the server records no update that changed
    // nothing: an update with no visible field set one.
    const password = entry({ id: 3, entity: "user", entityId: 4, op: "update", version: 3, fields: {} });
    expect(describeChange(password, undefined)).toBe("Password changed");
  });

  it("names the item an item change concerns, by its title at the time, or by id when unknown", () => {
    expect(describeChange(entry({ id: 1, entity: "item", entityId: 9, op: "create" }), "Pen")).toBe(
      "Item “Pen” added",
    );
    expect(describeChange(entry({ id: 2, entity: "item", entityId: 9, op: "delete" }), undefined)).toBe(
      "Item 9 deleted",
    );
    const retitled = entry({
      id: 3,
      entity: "item",
      entityId: 9,
      op: "update",
      fields: { title: ["A", "B"] },
    });
    expect(describeChange(retitled, "B")).toBe("Title changed from “A” to “B”");
    const described = (before: string | null, after: string | null) =>
      describeChange(
        entry({ id: 4, entity: "item", entityId: 9, op: "update", fields: { description: [before, after] } }),
        "Pen",
      );
    expect(described(null, "Blue ink")).toBe("Description of “Pen” set to “Blue ink”");
    expect(described("Blue ink", null)).toBe("Description of “Pen” removed");
    expect(described("Blue", "Black")).toBe("Description of “Pen” changed from “Blue” to “Black”");
    expect(described("x".repeat(100), "y")).toBe(
      `Description of “Pen” changed from “${"x".repeat(59)}…” to “y”`,
    );
  });
});

describe("itemTitlesAt", () => {
  it("gives each item change the title the item had then, a deleted item's included", () => {
    const history: HistoryEntry[] = [
      entry({ id: 1, entity: "item", entityId: 9, op: "create" }),
      entry({ id: 2, entity: "item", entityId: 9, op: "update", fields: { title: ["Pen", "Pencil"] } }),
      entry({ id: 3, entity: "item", entityId: 9, op: "update", fields: { description: [null, "HB"] } }),
      entry({ id: 4, entity: "item", entityId: 9, op: "delete" }),
      entry({ id: 5, entity: "item", entityId: 10, op: "create" }),
      entry({ id: 6, entity: "item", entityId: 11, op: "create" }),
      entry({ id: 7, entity: "item", entityId: 11, op: "delete", itemTitle: "Cup" }),
      entry({ id: 8, entity: "item", entityId: 12, op: "delete" }),
    ];
    const titles = itemTitlesAt(history, new Map([[10, "Notebook"]]));
    expect(Object.fromEntries(titles)).toEqual({
      1: "Pen",
      2: "Pencil",
      3: "Pencil",
      4: "Pencil",
      5: "Notebook",
      // Remembered when its deletion arrived live, while the page still showed it.
      6: "Cup",
      7: "Cup",
    });
    expect(describeChange(history[7] as HistoryEntry, titles.get(8))).toBe("Item 12 deleted");
  });
});

describe("timeAgo", () => {
  const now = Date.parse("2025-06-01T12:00:00.000Z");
  const before = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it("says how long ago, as a person reads it", () => {
    expect(timeAgo(before(10), now)).toBe("just now");
    expect(timeAgo(before(50), now)).toBe("1 minute ago");
    expect(timeAgo(before(150), now)).toBe("2 minutes ago");
    expect(timeAgo(before(3 * 3600), now)).toBe("3 hours ago");
    expect(timeAgo(before(30 * 3600), now)).toBe("yesterday");
    expect(timeAgo(before(90 * 86400), now)).toBe("3 months ago");
    // A clock a little ahead of the server's is not "in 2 seconds".
    expect(timeAgo(before(-2), now)).toBe("just now");
  });
});
