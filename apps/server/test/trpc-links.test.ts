import { request } from "node:http";
import type { AppRouter } from "@app/api";
import { parseDatabaseUrl } from "@app/db";
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  httpLink,
  isTRPCClientError,
  type TRPCLink,
} from "@trpc/client";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/harness.ts";

type LinkFactory = (url: string, headers: Record<string, string>) => TRPCLink<AppRouter>;

const links: [string, LinkFactory][] = [
  ["httpLink", (url, headers) => httpLink({ url, headers })],
  ["httpBatchLink", (url, headers) => httpBatchLink({ url, headers })],
  ["httpBatchStreamLink", (url, headers) => httpBatchStreamLink({ url, headers })],
];

/** A client of tRPC's own, signed in as the admin with the bearer token, as any tRPC app would be. */
function clientWith(server: TestServer, link: LinkFactory) {
  return createTRPCClient<AppRouter>({ links: [link(`${server.url}/trpc`, server.adminHeaders)] });
}

/** The status and headers of a raw request: what Node's `fetch` would refuse, the test sees. */
function rawHeaders(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      request(url, { headers }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
      })
        .on("error", reject)
        .end();
    },
  );
}

describe("tRPC's own clients over a real socket", () => {
  it.each(links)("%s: queries, mutations, a concurrent batch and its errors", async (_name, link) => {
    await using server = await startTestServer();
    const client = clientWith(server, link);
    const ann = await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await client.items.create.mutate({ userId: ann.id, title: "Pen" });
    // Started together: one request for the batching links, each call still its own answer.
    const [byId, missing, page, health] = await Promise.allSettled([
      client.users.byId.query({ id: ann.id }),
      client.users.byId.query({ id: 999 }),
      client.users.list.query({ withItems: true }),
      client.health.query(),
    ]);
    expect(byId).toMatchObject({ status: "fulfilled", value: { name: "Ann", items: [{ title: "Pen" }] } });
    expect(missing.status).toBe("rejected");
    const reason: unknown = missing.status === "rejected" ? missing.reason : undefined;
    expect(isTRPCClientError(reason) && reason.data?.code).toBe("NOT_FOUND");
    // The admin, made at start-up, is user 1 and listed first.
    expect(page).toMatchObject({
      status: "fulfilled",
      value: {
        items: [
          { id: server.admin.id, role: "admin" },
          { id: ann.id, role: "user" },
        ],
      },
    });
    expect(health).toEqual({ status: "fulfilled", value: { status: "ok", db: "ok" } });
  });

  it("frames a streamed batch as HTTP/1.1 requires: chunked, and no Content-Length", async () => {
    await using server = await startTestServer();
    const input = encodeURIComponent(JSON.stringify({ 0: {}, 1: { limit: 1 } }));
    const answer = await rawHeaders(`${server.url}/trpc/health,users.list?batch=1&input=${input}`, {
      "trpc-accept": "application/jsonl",
      ...server.adminHeaders,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["transfer-encoding"]).toBe("chunked");
    expect(answer.headers["content-length"]).toBeUndefined();
  });

  it("streams a streamed batch: a quick call's answer arrives while a slow one in the same batch waits", async () => {
    await using server = await startTestServer({ SQLITE_BUSY_TIMEOUT_MS: "20000" });
    const target = parseDatabaseUrl(server.config.DATABASE_URL);
    if (target.dialect !== "sqlite") throw new Error("this test holds an SQLite file's write lock");
    // Another process's write lock: the create waits for it; the unknown path fails at once.
    const other = new Database(target.path);
    other.exec("begin immediate");
    try {
      const response = await fetch(`${server.url}/trpc/users.create,users.nope?batch=1`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "trpc-accept": "application/jsonl",
          ...server.adminHeaders,
        },
        body: JSON.stringify({ 0: { name: "Ann", email: "ann@example.com" }, 1: {} }),
      });
      expect(response.status).toBe(200);
      const chunks = readChunks(response);
      let received = "";
      while (!received.includes("NOT_FOUND")) received += await chunks.next();
      expect(received).not.toContain("ann@example.com");
      other.exec("rollback");
      while (!received.includes("ann@example.com")) received += await chunks.next();
      expect(await server.count("users")).toBe(2); // the admin and Ann
    } finally {
      other.close();
    }
  });
});

/** The body as it arrives: each `next()` is the next chunk's text (throws at the end). */
function readChunks(response: Response) {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  return {
    async next(): Promise<string> {
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended first");
      return decoder.decode(value, { stream: true });
    },
  };
}
