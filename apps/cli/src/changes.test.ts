import { describe, expect, it } from "vitest";
import { type Change, findNewestId, formatChange } from "./changes.ts";

const at = "2026-12-01T10:02:03.456Z";

describe("formatChange", () => {
  it("says what changed, when, by whom, and each field's before and after on one line", () => {
    const change: Change = {
      id: 42,
      at,
      actorId: 1,
      entity: "item",
      entityId: 7,
      ownerId: 1,
      op: "update",
      fields: { title: ["Pen", "Blue pen"], description: [null, "line one\nline two"] },
    };
    expect(formatChange(change)).toBe(
      '#42 2026-12-01 10:02:03 item 7 update by user 1: title "Pen" → "Blue pen", description null → "line one\\nline two"',
    );
  });

  it("shows a user's version, a change no one signed in made, and no colon without fields", () => {
    const change: Change = {
      id: 1,
      at,
      actorId: null,
      entity: "user",
      entityId: 1,
      ownerId: 1,
      op: "create",
      version: 1,
    };
    expect(formatChange(change)).toBe("#1 2026-12-01 10:02:03 user 1 create by no one signed in (version 1)");
  });

  it("cuts a long value to keep one change a line", () => {
    const long = "x".repeat(500);
    const change: Change = {
      id: 3,
      at,
      actorId: 2,
      entity: "item",
      entityId: 9,
      ownerId: 1,
      op: "update",
      fields: { description: [long, "short"] },
    };
    expect(formatChange(change)).toBe(
      `#3 2026-12-01 10:02:03 item 9 update by user 2: description "${"x".repeat(59)}…" → "short"`,
    );
  });
});

describe("findNewestId", () => {
  /** The first id after `after` among `ids`, counting the requests made. */
  function over(ids: number[]) {
    const sorted = [...ids].sort((a, b) => a - b);
    const calls = { count: 0 };
    const firstAfter = async (after: number) => {
      calls.count++;
      return sorted.find((id) => id > after);
    };
    return { firstAfter, calls };
  }

  it("finds the newest id among sparse ones (pruned below, other people's in between), or 0 for none", async () => {
    const cases = [[], [1], [5], [1, 2, 3], [3, 17, 18, 900], [1000, 1001, 123_456], [2 ** 40]];
    for (const ids of cases) {
      expect(await findNewestId(over(ids).firstAfter)).toBe(ids.length === 0 ? 0 : Math.max(...ids));
    }
  });

  it("takes about twice log2 of the id in requests, not one per change", async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    const { firstAfter, calls } = over(ids);
    expect(await findNewestId(firstAfter)).toBe(100_000);
    expect(calls.count).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100_000)) + 2);
  });
});
