import { type CredentialKind, type Orm, type Role, sessions } from "@app/db";
import { sessionCookie } from "./cookie.ts";
import { hashToken, tokenKind } from "./tokens.ts";

/** Who is calling: an account, its role, and the credential it presented (none in-process). */
export type Caller = {
  id: number;
  role: Role;
  credential?: { kind: CredentialKind; id: number } | undefined;
};

/** A credential as the request carried it: `Authorization: Bearer`, else the session cookie. */
export type PresentedCredential = { token: string; from: "header" | "cookie" };

export type ResolveOptions = {
  orm: Orm;
  credential: PresentedCredential;
  sessionTtlDays: number;
  /** Where a refreshed session cookie goes (the credential came from the cookie). */
  setCookie: (value: string) => void;
  secure: boolean;
  now?: Date;
};

/** A credential's last use and a session's expiry are written at most this often. */
const touchEveryMs = 60 * 60 * 1000;

/**
 * The account behind a credential, or null when it is malformed, unknown, ended or expired: one
 * indexed query by its hash, never cached, so a session ended through one server process is
 * refused by every other at once. A session's expiry slides forward with use, written at most
 * hourly (and its cookie renewed), outside any call's transaction.
 */
export async function resolveCaller(options: ResolveOptions): Promise<Caller | null> {
  const { orm, credential, sessionTtlDays } = options;
  const kind = tokenKind(credential.token);
  if (!kind) return null;
  const now = options.now ?? new Date();
  // One statement through the ORM's own Kysely: a fork (an identity map, an event manager) for it
  // was a thirtieth of a request's CPU. The bookkeeping below writes through a fork of its own.
  const found = await sessions.findCaller(orm.em, kind, hashToken(credential.token), now);
  if (!found) return null;
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= touchEveryMs) {
    const ttlMs = sessionTtlDays * 86_400_000;
    const expiresAt = kind === "session" ? new Date(now.getTime() + ttlMs) : undefined;
    try {
      await sessions.touchCredential(orm.em.fork(), found, now, expiresAt);
      if (kind === "session" && credential.from === "cookie") {
        options.setCookie(
          sessionCookie(credential.token, { secure: options.secure, maxAgeSeconds: ttlMs / 1000 }),
        );
      }
    } catch {
      // Best effort: a busy database delays the bookkeeping to the next call, never the call itself.
    }
  }
  return { id: found.userId, role: found.role, credential: { kind, id: found.credentialId } };
}
