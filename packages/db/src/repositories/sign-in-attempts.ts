import type { EntityManager } from "@mikro-orm/sql";
import { SignInAttempt } from "../entities/sign-in-attempt.ts";
import { insertRow } from "./insert-row.ts";
import { readsOf } from "./kysely.ts";
import { storedDate, toDate } from "./timestamps.ts";

/** Failed sign-ins since a moment: how many, and when the oldest of them was (to say when to retry). */
export type Failures = { count: number; oldest: Date | null };

/**
 * Records a sign-in attempt as a failure until it proves otherwise, in its own write (never in a
 * call's transaction, which a failure rolls back). Returns its id.
 */
export async function recordFailedSignIn(
  em: EntityManager,
  email: string,
  ip: string,
  at: Date,
): Promise<number> {
  return (await insertRow(em, SignInAttempt, { email, ip, at })).id;
}

/** Takes back one attempt (the throttle refused it, so it was no failure). */
export async function deleteAttempt(em: EntityManager, id: number): Promise<void> {
  await em.nativeDelete(SignInAttempt, { id });
}

/** Recent failures for an email and for a client address, in one round trip each. */
export async function recentFailures(
  em: EntityManager,
  { email, ip, since }: { email: string; ip: string; since: Date },
): Promise<{ email: Failures; ip: Failures }> {
  const db = readsOf(em);
  const after = storedDate(em, since);
  const count = (column: "email" | "ip", value: string) =>
    db
      .selectFrom("sign_in_attempts")
      .select((eb) => [eb.fn.countAll<number | string | bigint>().as("n"), eb.fn.min("at").as("oldest")])
      .where(column, "=", value)
      .where("at", ">", after)
      .executeTakeFirst()
      .then((row) => ({
        count: Number(row?.n ?? 0),
        oldest: row?.oldest == null ? null : toDate(row.oldest),
      }));
  const [byEmail, byIp] = await Promise.all([count("email", email), count("ip", ip)]);
  return { email: byEmail, ip: byIp };
}

/** Forgets an email's failures after it signs in. */
export async function clearFailedSignIns(em: EntityManager, email: string): Promise<void> {
  await em.nativeDelete(SignInAttempt, { email });
}

/** Drops failures older than `before`: they no longer count, and the table stays small. */
export async function pruneFailedSignIns(em: EntityManager, before: Date): Promise<number> {
  return em.nativeDelete(SignInAttempt, { at: { $lt: before } });
}
