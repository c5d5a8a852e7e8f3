import { describe, expect, it } from "vitest";
import { credentialsPath, serverKey } from "./credentials.ts";

describe("where credentials are kept", () => {
  it("follows USERS_ITEMS_CREDENTIALS, else XDG_CONFIG_HOME, else ~/.config (a relative XDG_CONFIG_HOME is ignored)", () => {
    expect(credentialsPath({ USERS_ITEMS_CREDENTIALS: "/tmp/c.json", XDG_CONFIG_HOME: "/x" })).toBe(
      "/tmp/c.json",
    );
    expect(credentialsPath({ XDG_CONFIG_HOME: "/x", HOME: "/home/ann" })).toBe(
      "/x/users-items/credentials.json",
    );
    expect(credentialsPath({ XDG_CONFIG_HOME: "x", HOME: "/home/ann" })).toBe(
      "/home/ann/.config/users-items/credentials.json",
    );
    expect(credentialsPath({ HOME: "/home/ann" })).toBe("/home/ann/.config/users-items/credentials.json");
  });

  it("keys a login by the server: one spelling of a server is one key, two servers two keys", () => {
    const key = "http://127.0.0.1:8000";
    for (const url of ["http://127.0.0.1:8000", "http://127.0.0.1:8000/", "http://127.0.0.1:8000/trpc/"]) {
      expect(serverKey(url)).toBe(key);
    }
    expect(serverKey("HTTP://Example.COM/api/")).toBe("http://example.com/api");
    expect(serverKey("http://127.0.0.1:8001")).not.toBe(key);
    expect(serverKey("https://127.0.0.1:8000")).not.toBe(key);
  });
});
