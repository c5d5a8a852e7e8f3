import { describe, expect, it } from "vitest";
import { createItemInput, updateItemInput } from "./item.ts";

describe("item schemas", () => {
  it("trims the title and bounds it to 1..200 characters", () => {
    expect(createItemInput.parse({ userId: 1, title: "  Pen " })).toEqual({ userId: 1, title: "Pen" });
    expect(createItemInput.safeParse({ userId: 1, title: " " }).success).toBe(false);
    expect(createItemInput.safeParse({ userId: 1, title: "x".repeat(201) }).success).toBe(false);
  });

  it("allows a null description and bounds it to 2000 characters", () => {
    expect(createItemInput.parse({ userId: 1, title: "Pen", description: null }).description).toBeNull();
    expect(
      createItemInput.safeParse({ userId: 1, title: "Pen", description: "x".repeat(2001) }).success,
    ).toBe(false);
  });

  it("refuses ids that are not positive integers", () => {
    for (const userId of [0, -1, 1.5, "1", null]) {
      expect(createItemInput.safeParse({ userId, title: "Pen" }).success).toBe(false);
    }
  });

  it("requires an update to change the title or the description", () => {
    expect(updateItemInput.safeParse({ id: 1 }).success).toBe(false);
    expect(updateItemInput.parse({ id: 1, description: null })).toEqual({ id: 1, description: null });
  });
});
