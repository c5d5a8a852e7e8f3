import * as crypto from "node:crypto";
import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Passwords are stored as argon2id PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$tag`), at
 * OWASP's minimum parameters (19 MiB, 2 passes, 1 lane). Node's own `crypto.argon2` runs on
 * libuv's thread pool, so a hash never stalls the event loop. The parameters travel in the string,
 * so raising them later keeps old hashes verifiable. Decision 011.
 */
export const passwordParameters = { memory: 19_456, passes: 2, parallelism: 1 } as const;

const saltBytes = 16;
const tagBytes = 32;

type Parameters = { memory: number; passes: number; parallelism: number };

/**
 * Stops start-up with a clear line on a Node without `crypto.argon2` (before 24.7, or linked to
 * an OpenSSL older than 3.2), rather than failing at the first sign-up.
 */
export function assertPasswordHashing(): void {
  if (typeof Reflect.get(crypto, "argon2") !== "function") {
    throw new Error(
      `Node ${process.version} has no crypto.argon2 for password hashing: use Node 24.7 or newer`,
    );
  }
}

/** The argon2id PHC string of `password`, with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const tag = await derive(password, salt, passwordParameters, tagBytes);
  return encode(passwordParameters, salt, tag);
}

/**
 * Whether `password` matches `stored`, compared in constant time. A string that is not an
 * argon2id PHC string matches nothing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = decode(stored);
  if (!parsed) return false;
  const tag = await derive(password, parsed.salt, parsed.parameters, parsed.tag.length);
  return timingSafeEqual(tag, parsed.tag);
}

/**
 * A valid hash of no one's password: a sign-in for an unknown email verifies against it, so it
 * takes as long as one for a known email with a wrong password, and tells nothing by its timing.
 */
export const unknownAccountHash = encode(passwordParameters, randomBytes(saltBytes), randomBytes(tagBytes));

function derive(password: string, salt: Buffer, parameters: Parameters, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.argon2("argon2id", { message: password, nonce: salt, tagLength, ...parameters }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** PHC strings use standard base64 without padding. */
function b64(bytes: Buffer): string {
  return bytes.toString("base64").replace(/=+$/, "");
}

function encode(p: Parameters, salt: Buffer, tag: Buffer): string {
  return `$argon2id$v=19$m=${p.memory},t=${p.passes},p=${p.parallelism}$${b64(salt)}$${b64(tag)}`;
}

const phc =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{11,})$/;

function decode(stored: string): { parameters: Parameters; salt: Buffer; tag: Buffer } | undefined {
  const match = phc.exec(stored);
  if (!match) return undefined;
  const [, m, t, p, salt, tag] = match;
  return {
    parameters: { memory: Number(m), passes: Number(t), parallelism: Number(p) },
    salt: Buffer.from(salt ?? "", "base64"),
    tag: Buffer.from(tag ?? "", "base64"),
  };
}
