import { id, userVersion } from "@app/api/schemas";
import fc from "fast-check";
import { expect } from "vitest";
import { badNumber } from "./hostile-values.ts";
import {
  aim,
  expectAgreement,
  expectFailure,
  expectSuccess,
  type ModelCommand,
  maxId,
  missingCode,
  outcomeOf,
  pickOtherUser,
  pickUser,
  target,
  text,
} from "./model.ts";

/** Six addresses in assorted letter case and padding, so that creates and updates collide. */
const email = fc
  .tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom("", "upper", "padded"))
  .map(([n, variant]) => {
    const address = `user${n}@example.com`;
    return variant === "upper" ? address.toUpperCase() : variant === "padded" ? ` ${address}  ` : address;
  });

const normalize = (address: string) => address.trim().toLowerCase();

/** A role to give a new account, or none (then it is a plain user). */
const role = fc.option(fc.constantFrom("user" as const, "admin" as const), { nil: undefined, freq: 2 });

const createUser = fc.record({ name: text(30), email, role }).map(
  (input): ModelCommand => ({
    check: () => true,
    async run(model, real) {
      const outcome = await outcomeOf(real.server.client.users.create.mutate(input));
      const address = normalize(input.email);
      if (model.users.some((u) => u.email === address)) expectFailure(outcome, "CONFLICT");
      else {
        const user = expectSuccess(outcome);
        const role = input.role ?? "user";
        expect(user).toMatchObject({ name: input.name.trim(), email: address, role, version: 1, items: [] });
        expect(user.id).toBeGreaterThan(maxId(model.users.map((u) => u.id)));
        model.users.push({ id: user.id, name: user.name, email: address, role, version: 1, items: [] });
      }
      await expectAgreement(model, real);
    },
    toString: () => `users.create(${fc.stringify(input)})`,
  }),
);

/** The version an update sends: the current one, a stale one, none, or a number no version can be. */
type SeenVersion = "current" | "stale" | "none" | { bad: number };
const seenVersion: fc.Arbitrary<SeenVersion> = fc.oneof(
  { arbitrary: fc.constantFrom<SeenVersion>("current", "stale", "none"), weight: 6 },
  { arbitrary: badNumber.map((bad): SeenVersion => ({ bad })), weight: 1 },
);

function versionToSend(choice: SeenVersion, seen: number): number | undefined {
  if (choice === "current") return seen;
  if (choice === "stale") return seen > 1 ? seen - 1 : seen + 1;
  if (choice === "none") return undefined;
  return choice.bad;
}

const updateUser = fc
  .record({
    target,
    name: fc.option(text(30), { nil: undefined }),
    email: fc.option(email, { nil: undefined }),
    version: seenVersion,
  })
  .filter((c) => c.name !== undefined || c.email !== undefined)
  .map(
    (c): ModelCommand => ({
      check: () => true,
      async run(model, real) {
        const { row: user, missing } = aim(c.target, (n) => pickUser(model, n));
        const seen = user?.version ?? 1;
        const version = versionToSend(c.version, seen);
        const input = { id: user?.id ?? missing, name: c.name, email: c.email, version };
        const outcome = await outcomeOf(real.server.client.users.update.mutate(input));
        const name = c.name?.trim() ?? user?.name;
        const address = c.email === undefined ? user?.email : normalize(c.email);
        // Input is judged before anything is looked up: an id or version out of range is refused first.
        if (!id.safeParse(input.id).success || !userVersion.optional().safeParse(version).success)
          expectFailure(outcome, "BAD_REQUEST");
        else if (!user) expectFailure(outcome, missingCode(missing));
        else if (c.version === "stale") expectFailure(outcome, "CONFLICT");
        else if (model.users.some((u) => u.id !== user.id && u.email === address))
          expectFailure(outcome, "CONFLICT");
        else {
          // Nothing to write is no write at all, so the version only moves when something changed.
          const changed = name !== user.name || address !== user.email;
          const updated = expectSuccess(outcome);
          expect(updated).toMatchObject({
            id: user.id,
            name,
            email: address,
            role: user.role,
            version: seen + (changed ? 1 : 0),
          });
          Object.assign(user, { name: updated.name, email: updated.email, version: updated.version });
        }
        await expectAgreement(model, real);
      },
      toString: () => `users.update(${fc.stringify(c)})`,
    }),
  );

// Never the caller's own account (see Model): a missing target when there is no one else.
const deleteUser = target.map(
  (t): ModelCommand => ({
    check: () => true,
    async run(model, real) {
      const { row: user, missing } = aim(t, (n) => pickOtherUser(model, n));
      const outcome = await outcomeOf(real.server.client.users.delete.mutate({ id: user?.id ?? missing }));
      if (!user) expectFailure(outcome, missingCode(missing));
      else {
        expect(expectSuccess(outcome)).toEqual({ id: user.id });
        model.users = model.users.filter((u) => u !== user);
      }
      await expectAgreement(model, real);
    },
    toString: () => `users.delete(${fc.stringify(t)})`,
  }),
);

/** users.create, users.update and users.delete, each checked against the model. */
export const userCommands = [createUser, updateUser, deleteUser];
