import { id, maxDatabaseInt } from "@app/api/schemas";
import { isClientError } from "@app/client";
import fc from "fast-check";
import { expect } from "vitest";
import type { TestServer } from "./harness.ts";
import { badNumber, oddStorableString, tooBigInteger } from "./hostile-values.ts";

/** What the database should hold, kept by the model-based test beside the real server. */
export type ModelItem = { id: number; title: string; description: string | null };
export type ModelUser = {
  id: number;
  name: string;
  email: string;
  role: "user" | "admin";
  version: number;
  items: ModelItem[];
};
/**
 * `users` includes the admin the server started with, whose session every command calls with:
 * its id is `callerId`. It may be renamed and own items like anyone, but is never deleted, since
 * that would end the session of every later command (deleting an account ends its sessions).
 */
export type Model = { users: ModelUser[]; callerId: number };
export type Real = { server: TestServer };
export type ModelCommand = fc.AsyncCommand<Model, Real>;

/** An id every database stores but no row will ever have in a test. */
export const unusedId = 999_999_999;

/**
 * An id no row has, from anywhere in the range JSON carries: mostly one that every database stores
 * but no test reaches (10^9 to 2147483647), else one that none stores (0, negative, a fraction,
 * 2147483648 up to 1.7e308), which the schemas refuse before any database sees it.
 */
export const missingId = fc.oneof(
  fc.integer({ min: 1_000_000_000, max: maxDatabaseInt }),
  fc.constant(maxDatabaseInt),
  tooBigInteger,
  badNumber,
);

/** What a call naming the missing id `value` fails with: NOT_FOUND if a database stores it, else BAD_REQUEST. */
export function missingCode(value: number): "NOT_FOUND" | "BAD_REQUEST" {
  return id.safeParse(value).success ? "NOT_FOUND" : "BAD_REQUEST";
}

/** The result of a call as a value: its output, or the tRPC error code it failed with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string | undefined };

export async function outcomeOf<T>(call: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    if (!isClientError(error)) throw error;
    return { ok: false, code: error.data?.code };
  }
}

/** Expects the call to have failed with `code`. */
export function expectFailure(outcome: Outcome<unknown>, code: string): void {
  expect(outcome.ok ? "ok" : outcome.code).toBe(code);
}

/** Expects success and returns the output. */
export function expectSuccess<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.code}`);
  return outcome.value;
}

type UserRead = Omit<ModelUser, "items"> & {
  items?: (ModelItem & { ownerId: number })[] | undefined;
};

/** A user as the API reads it (with its items), in the model's shape. */
export function toModelUser({ id, name, email, role, version, items = [] }: UserRead): ModelUser {
  for (const item of items) expect(item.ownerId).toBe(id);
  const modelItems = items.map(({ id, title, description }) => ({ id, title, description }));
  return { id, name, email, role, version, items: modelItems };
}

/** Every user with its items, read page by page through the API, in the model's shape. */
async function readAll(server: TestServer): Promise<ModelUser[]> {
  const users: ModelUser[] = [];
  let cursor: number | null = null;
  do {
    const page = await server.client.users.list.query({ limit: 100, cursor, withItems: true });
    users.push(...page.items.map(toModelUser));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return users;
}

/** The check after every step: the API and the raw row counts agree with the model. */
export async function expectAgreement(model: Model, { server }: Real): Promise<void> {
  expect(await readAll(server)).toEqual(model.users);
  expect(await server.count("users")).toBe(model.users.length);
  expect(await server.count("items")).toBe(model.users.reduce((n, user) => n + user.items.length, 0));
}

/** The n-th user of the model (wrapping), or undefined when there is none. */
export function pickUser(model: Model, n: number): ModelUser | undefined {
  return model.users[n % Math.max(model.users.length, 1)];
}

/** The n-th user other than the caller (wrapping), or undefined when there is none. */
export function pickOtherUser(model: Model, n: number): ModelUser | undefined {
  const others = model.users.filter((user) => user.id !== model.callerId);
  return others[n % Math.max(others.length, 1)];
}

/** The caller's own account in the model (the admin every command calls as). */
export function callerOf(model: Model): ModelUser {
  const caller = model.users.find((user) => user.id === model.callerId);
  if (!caller) throw new Error(`the caller ${model.callerId} is missing from the model`);
  return caller;
}

/** The n-th item of all users (wrapping), with its owner, or undefined when there is none. */
export function pickItem(model: Model, n: number): { owner: ModelUser; item: ModelItem } | undefined {
  const all = model.users.flatMap((owner) => owner.items.map((item) => ({ owner, item })));
  return all[n % Math.max(all.length, 1)];
}

/** Which row a command aims at: mostly a real one (the n-th, wrapping), sometimes an id no row has. */
export type Target = { nth: number } | { missing: number };
export const target: fc.Arbitrary<Target> = fc.oneof(
  { arbitrary: fc.nat().map((nth) => ({ nth })), weight: 5 },
  { arbitrary: missingId.map((missing) => ({ missing })), weight: 1 },
);

/**
 * The row a target picks (none when it names a missing id, or when there is no row to pick) and
 * the id to send when there is none.
 */
export function aim<T>(
  target: Target,
  pick: (nth: number) => T | undefined,
): { row: T | undefined; missing: number } {
  if ("nth" in target) return { row: pick(target.nth), missing: unusedId };
  return { row: undefined, missing: target.missing };
}

/** Valid text: a few repeated names (so that some updates change nothing) and odd ones. */
export function text(maxLength: number) {
  const odd = oddStorableString({ minLength: 1, maxLength }).filter((s) => s.trim().length > 0);
  return fc.oneof(fc.constantFrom("Ann", " Ann ", "Bob"), odd);
}

/** The largest id among `ids`, 0 when there is none: a new row's id must be above it. */
export function maxId(ids: number[]): number {
  return Math.max(0, ...ids);
}
