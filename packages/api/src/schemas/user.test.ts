import { describe, expect, it } from "vitest";
import { createUserInput, listUsersInput, updateUserInput } from "./user.ts";

describe("user schemas", () => {
  it("trims the name and trims and lower-cases the email", () => {
    expect(createUserInput.parse({ name: "  Ann ", email: "  ANN@Example.COM " })).toEqual({
      name: "Ann",
      email: "ann@example.com",
    });
  });

  it("bounds the name to 1..100 characters after trimming", () => {
    expect(createUserInput.safeParse({ name: "   ", email: "a@b.co" }).success).toBe(false);
    expect(createUserInput.safeParse({ name: "x".repeat(100), email: "a@b.co" }).success).toBe(true);
    expect(createUserInput.safeParse({ name: "x".repeat(101), email: "a@b.co" }).success).toBe(false);
  });

  it("refuses invalid emails and emails over 254 characters", () => {
    expect(createUserInput.safeParse({ name: "A", email: "no-at-sign" }).success).toBe(false);
    const long = `${"a".repeat(64)}@${"b".repeat(185)}.com`;
    expect(long).toHaveLength(254);
    expect(createUserInput.safeParse({ name: "A", email: long }).success).toBe(true);
    expect(createUserInput.safeParse({ name: "A", email: `a${long}` }).success).toBe(false);
  });

  it("defaults the list to 20 users without items, and caps the page at 100", () => {
    expect(listUsersInput.parse(undefined)).toEqual({ limit: 20, withItems: false });
    expect(listUsersInput.safeParse({ limit: 101 }).success).toBe(false);
    expect(listUsersInput.safeParse({ limit: 0 }).success).toBe(false);
  });

  it("requires an update to change the name or the email", () => {
    expect(updateUserInput.safeParse({ id: 1, version: 3 }).success).toBe(false);
    expect(updateUserInput.parse({ id: 1, email: " B@X.IO " })).toEqual({ id: 1, email: "b@x.io" });
  });
});
