import fc from "fast-check";
import { expect } from "vitest";
import {
  aim,
  callerOf,
  expectAgreement,
  expectFailure,
  expectSuccess,
  type ModelCommand,
  maxId,
  missingCode,
  outcomeOf,
  pickItem,
  pickUser,
  target,
  text,
  unusedId,
} from "./model.ts";

/** A description to send: text, null (none), or left out. */
const description = fc.option(fc.option(text(40), { nil: null }), { nil: undefined });

/** Whose item to create: a user's (named by `userId`, maybe missing), or the caller's (no `userId`). */
const itemOwner = fc.oneof(
  { arbitrary: target, weight: 5 },
  { arbitrary: fc.constant("caller" as const), weight: 1 },
);

const createItem = fc.record({ target: itemOwner, title: text(40), description }).map(
  (c): ModelCommand => ({
    check: () => true,
    async run(model, real) {
      const fields = { title: c.title, description: c.description };
      const { row: owner, missing } =
        c.target === "caller"
          ? { row: callerOf(model), missing: unusedId }
          : aim(c.target, (n) => pickUser(model, n));
      const input = c.target === "caller" ? fields : { userId: owner?.id ?? missing, ...fields };
      const outcome = await outcomeOf(real.server.client.items.create.mutate(input));
      if (!owner) expectFailure(outcome, missingCode(missing));
      else {
        const item = expectSuccess(outcome);
        const expected = { title: c.title.trim(), description: c.description?.trim() ?? null };
        expect(item).toMatchObject({ ...expected, ownerId: owner.id });
        const allIds = model.users.flatMap((u) => u.items.map((i) => i.id));
        expect(item.id).toBeGreaterThan(maxId(allIds));
        owner.items.push({ id: item.id, ...expected });
      }
      await expectAgreement(model, real);
    },
    toString: () => `items.create(${fc.stringify(c)})`,
  }),
);

const updateItem = fc
  .record({ target, title: fc.option(text(40), { nil: undefined }), description })
  .filter((c) => c.title !== undefined || c.description !== undefined)
  .map(
    (c): ModelCommand => ({
      check: () => true,
      async run(model, real) {
        const { row: picked, missing } = aim(c.target, (n) => pickItem(model, n));
        const input = { id: picked?.item.id ?? missing, title: c.title, description: c.description };
        const outcome = await outcomeOf(real.server.client.items.update.mutate(input));
        if (!picked) expectFailure(outcome, missingCode(missing));
        else {
          const { item, owner } = picked;
          if (c.title !== undefined) item.title = c.title.trim();
          if (c.description !== undefined) item.description = c.description?.trim() ?? null;
          expect(expectSuccess(outcome)).toMatchObject({ ...item, ownerId: owner.id });
        }
        await expectAgreement(model, real);
      },
      toString: () => `items.update(${fc.stringify(c)})`,
    }),
  );

const deleteItem = target.map(
  (t): ModelCommand => ({
    check: () => true,
    async run(model, real) {
      const { row: picked, missing } = aim(t, (n) => pickItem(model, n));
      const outcome = await outcomeOf(
        real.server.client.items.delete.mutate({ id: picked?.item.id ?? missing }),
      );
      if (!picked) expectFailure(outcome, missingCode(missing));
      else {
        expect(expectSuccess(outcome)).toEqual({ id: picked.item.id });
        picked.owner.items = picked.owner.items.filter((i) => i !== picked.item);
      }
      await expectAgreement(model, real);
    },
    toString: () => `items.delete(${fc.stringify(t)})`,
  }),
);

/** items.create, items.update and items.delete, each checked against the model. */
export const itemCommands = [createItem, updateItem, deleteItem];
