import { expect } from "vitest";
import type { TestServer } from "./harness.ts";

// What the property-based suites (fuzz-inputs, fuzz-numbers) share: the rows they start from,
// the figures they print, and what a valid input may answer.

/**
 * Two users with two items each, so that some valid calls find something: users 1 (the admin the
 * server starts with), 2 and 3, items 1 to 4.
 */
export async function seed(server: TestServer): Promise<void> {
  for (const name of ["Ann", "Bob"]) {
    const user = await server.client.users.create.mutate({
      name,
      email: `${name.toLowerCase()}@example.com`,
    });
    await server.client.items.create.mutate({ userId: user.id, title: "Notebook" });
    await server.client.items.create.mutate({ userId: user.id, title: "Pen", description: "blue" });
  }
}

/** Counts answers by status and prints them with the elapsed time when done. */
export function statusTally(label: string) {
  const started = performance.now();
  const statuses: Record<number, number> = {};
  let calls = 0;
  return {
    record(status: number) {
      calls += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
    },
    print() {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${label}: ${calls} calls in ${seconds} s, by status ${JSON.stringify(statuses)}`);
    },
  };
}

export async function expectHealthy(server: TestServer): Promise<void> {
  const response = await fetch(`${server.url}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", db: "ok" });
}

/**
 * What a valid input may get other than found, not found or a conflict: a sign-in with a made-up
 * password is refused (401), a password change with a made-up current one is a field error (400),
 * and both are throttled (429) after a few.
 */
const otherValidAnswers: Record<string, number[]> = {
  "auth.signIn": [401, 429],
  "auth.changePassword": [400, 429],
};

/** The statuses a valid input to `path` may get: found (200), not found (404), a conflict (409), or the above. */
export function validAnswersOf(path: string): number[] {
  return otherValidAnswers[path] ?? [200, 404, 409];
}

/** The account a valid `users.*` input names (the one it would delete or change), if any. */
export function namedUser(path: string, input: unknown): number | undefined {
  if (!path.startsWith("users.") || typeof input !== "object" || input === null) return undefined;
  const id: unknown = Reflect.get(input, "id");
  return typeof id === "number" ? id : undefined;
}

/**
 * The one message a number field refuses a number with: out of its range, not an integer, or
 * Infinity (what JSON.parse makes of `1e400`).
 */
export const numberMessage =
  /^(Must be at (least|most) \d+|Invalid input: expected int, received number|Invalid input: expected number, received -?Infinity)$/;
