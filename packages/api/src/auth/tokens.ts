import { hash, randomBytes } from "node:crypto";
import type { CredentialKind } from "@app/db";

/**
 * Session and API tokens: 32 random bytes (256 bits) in base64url behind a prefix that says what
 * they are (`uis_` a session, `uit_` an API token), so a leaked one is recognisable in a scan and
 * its kind picks the one table to look in. Only their SHA-256 is stored: a random 256-bit secret
 * needs no salt or slow hash, and the digest is an indexed lookup. Decision 011.
 */
const prefixes: Record<CredentialKind, string> = { session: "uis_", token: "uit_" };

export type NewToken = { token: string; hash: string };

/** A fresh token of this kind and the hash to store. */
export function newToken(kind: CredentialKind): NewToken {
  const token = `${prefixes[kind]}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token) };
}

/** The stored form of a token: its SHA-256, in hex. */
export function hashToken(token: string): string {
  // One-shot: about half the CPU of createHash().update().digest(), on every request.
  return hash("sha256", token, "hex");
}

/** A well-formed token's kind; undefined for anything else (which is then no credential at all). */
export function tokenKind(token: string): CredentialKind | undefined {
  if (token.length !== 47 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  if (token.startsWith(prefixes.session)) return "session";
  if (token.startsWith(prefixes.token)) return "token";
  return undefined;
}
