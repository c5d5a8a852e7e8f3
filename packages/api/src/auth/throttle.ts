import { type EntityManager, signInAttempts } from "@app/db";
import { TRPCError } from "@trpc/server";

/**
 * Sign-in throttling, counted in the database so every server process shares the count: after 5
 * failed sign-ins for one email within 15 minutes, or 20 from one client address, further
 * attempts answer 429 with `Retry-After` until the oldest of those failures is 15 minutes old.
 */
export const throttleLimits = { windowMs: 15 * 60 * 1000, perEmail: 5, perAddress: 20 } as const;

export type Attempt = { email: string; ip: string; now: Date };

/** Throws TOO_MANY_REQUESTS (and sets `Retry-After`) when this email or address has failed too often. */
export async function refuseIfThrottled(
  em: EntityManager,
  { email, ip, now }: Attempt,
  setHeader: (name: string, value: string) => void,
): Promise<void> {
  const since = new Date(now.getTime() - throttleLimits.windowMs);
  const failures = await signInAttempts.recentFailures(em, { email, ip, since });
  const blocking = [
    failures.email.count >= throttleLimits.perEmail ? failures.email.oldest : null,
    failures.ip.count >= throttleLimits.perAddress ? failures.ip.oldest : null,
  ].filter((oldest): oldest is Date => oldest !== null);
  if (blocking.length === 0) return;
  const until = Math.max(...blocking.map((oldest) => oldest.getTime() + throttleLimits.windowMs));
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  setHeader("retry-after", String(seconds));
  throw new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `Too many failed sign-ins: try again in ${seconds} seconds`,
  });
}

/** Records a failure in its own write (the failed call's transaction, if any, rolls back). */
export async function recordFailure(em: EntityManager, { email, ip, now }: Attempt): Promise<void> {
  await signInAttempts.recordFailedSignIn(em, email, ip, now);
  // Failures older than a day count for nothing: keep the table small as it is written.
  await signInAttempts.pruneFailedSignIns(em, new Date(now.getTime() - 86_400_000));
}
