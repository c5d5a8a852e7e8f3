import { id, limit } from "@app/api/schemas";
import fc from "fast-check";
import { expect } from "vitest";
import { badNumber } from "./hostile-values.ts";
import {
  aim,
  expectFailure,
  expectSuccess,
  type Model,
  type ModelCommand,
  missingCode,
  missingId,
  outcomeOf,
  pickItem,
  pickUser,
  target,
  toModelUser,
} from "./model.ts";

/**
 * A page size: mostly a small valid one (so that pages end and cursors follow), sometimes the
 * largest, or one that no page takes (0, negative, fractional, 101, 2147483648 up to 1.7e308).
 */
const pageSize = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 },
  { arbitrary: fc.constant(100), weight: 1 },
  { arbitrary: fc.oneof(badNumber, fc.integer({ min: 101 })), weight: 2 },
);

/** Where a page starts: at the beginning, after a row's id (the n-th, wrapping), or after any number. */
type CursorChoice = { first: true } | { nth: number } | { missing: number };
const cursorChoice: fc.Arbitrary<CursorChoice> = fc.oneof(
  fc.constant({ first: true as const }),
  fc.nat().map((nth) => ({ nth })),
  missingId.map((missing) => ({ missing })),
);

function cursorOf(choice: CursorChoice, pick: (nth: number) => { id: number } | undefined): number | null {
  if ("nth" in choice) return pick(choice.nth)?.id ?? null;
  return "missing" in choice ? choice.missing : null;
}

/** Whether the schemas take this page size and cursor: a number out of range is refused before any read. */
function validPage(size: number, cursor: number | null): boolean {
  return limit.safeParse(size).success && (cursor === null || id.safeParse(cursor).success);
}

/** The page the model expects: the rows after `cursor` in id order, and a cursor when more follow. */
function expectedPage<T extends { id: number }>(rows: readonly T[], cursor: number | null, size: number) {
  const after = rows.filter((row) => row.id > (cursor ?? 0));
  const items = after.slice(0, size);
  return { items, nextCursor: after.length > size ? (items.at(-1)?.id ?? null) : null };
}

const listUsers = fc.record({ size: pageSize, cursor: cursorChoice }).map(
  (c): ModelCommand => ({
    check: () => true,
    async run(model: Model, real) {
      const cursor = cursorOf(c.cursor, (n) => pickUser(model, n));
      const input = { limit: c.size, cursor, withItems: true };
      const outcome = await outcomeOf(real.server.client.users.list.query(input));
      if (!validPage(c.size, cursor)) return expectFailure(outcome, "BAD_REQUEST");
      const page = expectSuccess(outcome);
      expect({ ...page, items: page.items.map(toModelUser) }).toEqual(
        expectedPage(model.users, cursor, c.size),
      );
    },
    toString: () => `users.list(${fc.stringify(c)})`,
  }),
);

const listItems = fc.record({ owner: target, size: pageSize, cursor: cursorChoice }).map(
  (c): ModelCommand => ({
    check: () => true,
    async run(model: Model, real) {
      const { row: owner, missing } = aim(c.owner, (n) => pickUser(model, n));
      const userId = owner?.id ?? missing;
      const cursor = cursorOf(c.cursor, (n) => pickItem(model, n)?.item);
      const outcome = await outcomeOf(real.server.client.items.list.query({ userId, limit: c.size, cursor }));
      if (!id.safeParse(userId).success || !validPage(c.size, cursor))
        return expectFailure(outcome, "BAD_REQUEST");
      if (!owner) return expectFailure(outcome, missingCode(missing));
      const page = expectSuccess(outcome);
      const items = page.items.map(({ id, title, description }) => ({ id, title, description }));
      expect({ items, nextCursor: page.nextCursor }).toEqual(expectedPage(owner.items, cursor, c.size));
    },
    toString: () => `items.list(${fc.stringify(c)})`,
  }),
);

/** users.list and items.list a page at a time, from any cursor and with any page size, checked against the model. */
export const pageCommands = [listUsers, listItems];
