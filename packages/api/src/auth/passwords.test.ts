import { describe, expect, it } from "vitest";
import { hashPassword, passwordParameters, unknownAccountHash, verifyPassword } from "./passwords.ts";

describe("passwords", () => {
  it("stores argon2id at OWASP's parameters as a PHC string with a fresh salt", async () => {
    const [first, second] = await Promise.all([hashPassword("correct horse"), hashPassword("correct horse")]);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
    expect(passwordParameters).toEqual({ memory: 19_456, passes: 2, parallelism: 1 });
  });

  it("verifies the password it hashed, and nothing else", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct hors", stored)).toBe(false);
    expect(await verifyPassword("correct horse", unknownAccountHash)).toBe(false);
    expect(await verifyPassword("correct horse", "not a hash")).toBe(false);
  });

  it("reads hashes written by the reference implementation (Debian's argon2 CLI)", async () => {
    // echo -n "correct horse battery" | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e
    const reference =
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$/HetJC6LZ4lnwgLB+wJSS2a9bFu2Kq4HxwNWzoJq2qU";
    expect(await verifyPassword("correct horse battery", reference)).toBe(true);
    expect(await verifyPassword("correct horse batterY", reference)).toBe(false);
  });

  it("hashes off the event loop: a timer keeps firing while eight hashes run", async () => {
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);
    await Promise.all(Array.from({ length: 8 }, (_, i) => hashPassword(`password ${i}`)));
    clearInterval(timer);
    // One hash on the main thread takes ~25 ms here; eight of them would stall it for 200 ms.
    expect(longestGap).toBeLessThan(100);
  });
});
