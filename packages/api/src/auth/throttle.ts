import { type EntityManager, signInAttempts } from "@app/db";
import { TRPCError } from "@trpc/server";

/**
 * Sign-in throttling, counted in the database so every server process shares the count: after 5
 * failed sign-ins for one email within 15 minutes, or 20 from one client address, further
 * attempts answer 429 with `Retry-After` until the oldest of those failures is 15 minutes old.
 */
export const throttleLimits = { windowMs: 15 * 60 * 1000, perEmail: 5, perAddress: 20 } as const;

export type Attempt = { email: string; ip: string; now: Date };

/**
 * Counts this attempt before the password is checked: the attempt is written first (its own
 * write), then the failures in the window are counted with it. Counting first let a burst of
 * parallel attempts all pass a count that none of them had yet added to (100 of 100 got through
 * in a hostile test). Attempts are written one after another, so the k-th sees at least k: no
 * more than the limit ever reach the password check. Throws TOO_MANY_REQUESTS (with
 * `Retry-After`) past the limit, taking its own row back (a refused attempt is no failure);
 * otherwise returns the attempt, which `forgiveAttempt` removes if the password was right.
 */
export async function admitAttempt(
  em: EntityManager,
  { email, ip, now }: Attempt,
  setHeader: (name: string, value: string) => void,
): Promise<{ id: number }> {
  const id = await signInAttempts.recordFailedSignIn(em, email, ip, now);
  const since = new Date(now.getTime() - throttleLimits.windowMs);
  const failures = await signInAttempts.recentFailures(em, { email, ip, since });
  const blocking = [
    failures.email.count > throttleLimits.perEmail ? failures.email.oldest : null,
    failures.ip.count > throttleLimits.perAddress ? failures.ip.oldest : null,
  ].filter((oldest): oldest is Date => oldest !== null);
  if (blocking.length === 0) return { id };
  await signInAttempts.deleteAttempt(em, id);
  const until = Math.max(...blocking.map((oldest) => oldest.getTime() + throttleLimits.windowMs));
  const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  setHeader("retry-after", String(seconds));
  throw new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message: `Too many failed sign-ins: try again in ${seconds} seconds`,
  });
}

/** The password was right: the attempt was no failure, and the email's earlier failures are forgiven. */
export async function forgiveAttempt(em: EntityManager, email: string): Promise<void> {
  await signInAttempts.clearFailedSignIns(em, email);
}

/** The password was wrong: the attempt stays as a failure; failures older than a day are pruned. */
export async function keepFailure(em: EntityManager, now: Date): Promise<void> {
  await signInAttempts.pruneFailedSignIns(em, new Date(now.getTime() - 86_400_000));
}
