import { createOrm } from "@app/db";
import { createScratchDatabase } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { startTestServer } from "./support/harness.ts";
import { startServerProcess } from "./support/server-process.ts";

describe("security and traceability", () => {
  it("limits each client to RATE_LIMIT_PER_MINUTE requests, answering 429 with Retry-After", async () => {
    await using server = await startTestServer({ RATE_LIMIT_PER_MINUTE: "5" });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${server.url}/health`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await fetch(`${server.url}/trpc/users.list`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: "TOO_MANY_REQUESTS" } });
  });

  it("has no rate limit by default", async () => {
    await using server = await startTestServer();
    const statuses = await Promise.all(
      Array.from({ length: 150 }, async () => (await fetch(`${server.url}/health`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it("sends security headers, with a content security policy on the web app's and docs' pages", async () => {
    await using server = await startTestServer();
    const api = await fetch(`${server.url}/trpc/users.list`);
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("referrer-policy")).toBe("no-referrer");
    for (const page of ["/", "/users/1", "/docs", "/redoc"]) {
      const response = await fetch(`${server.url}${page}`);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    }
  });

  it("keeps a caller's well-formed request id and replaces any other", async () => {
    await using server = await startTestServer();
    const kept = await fetch(`${server.url}/health`, { headers: { "x-request-id": "client-42.a:b" } });
    expect(kept.headers.get("x-request-id")).toBe("client-42.a:b");
    const replaced = await fetch(`${server.url}/health`, { headers: { "x-request-id": "x".repeat(200) } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${server.url}/health`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs a failed call with the request id its response carried, and hides the cause from the caller", {
    timeout: 60_000,
  }, async () => {
    await using database = await createScratchDatabase("sqlite");
    await using server = await startServerProcess({ DATABASE_URL: database.url, NODE_ENV: "production" });
    const orm = await createOrm({ url: database.url });
    await orm.em.fork().execute("drop table items");
    await orm.close(true);

    const response = await fetch(`${server.url}/trpc/items.list`);
    const requestId = response.headers.get("x-request-id");
    expect(response.status).toBe(500);
    expect(await response.text()).not.toMatch(/no such table/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { reqId?: string; msg?: string; err?: { message?: string } });
    const failure = lines.find((line) => line.msg === "procedure failed");
    expect(failure?.reqId).toBe(requestId);
    expect(failure?.err?.message).toMatch(/no such table: items/);
  });
});
