import { createServer, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { runCliWith, startTestServer } from "./run.ts";

/** A proxy in front of `target` that notes each request's `traceparent` header. */
async function recordingProxy(target: string) {
  const seen: (string | undefined)[] = [];
  const proxy = createServer(async (request, response) => {
    const traceparent = request.headers.traceparent;
    seen.push(typeof traceparent === "string" ? traceparent : undefined);
    const headers = new Headers();
    for (const name of ["authorization", "content-type", "trpc-accept"]) {
      const value = request.headers[name];
      if (typeof value === "string") headers.set(name, value);
    }
    const body = request.method === "GET" ? undefined : await readAll(request);
    const answer = await fetch(`${target}${request.url}`, { method: request.method, headers, body });
    response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("TRACEPARENT", () => {
  it("is sent with every call when set, so the server's spans join the caller's trace", async () => {
    await using server = await startTestServer();
    await using proxy = await recordingProxy(server.url);
    const env = { API_TOKEN: server.adminToken, TRACEPARENT: traceparent };
    const result = await runCliWith({ url: proxy.url, env }, "users", "get", "1", "--json");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.every((sent) => sent === traceparent)).toBe(true);

    proxy.seen.length = 0;
    await runCliWith({ url: proxy.url, env: { API_TOKEN: server.adminToken } }, "users", "get", "1");
    expect(proxy.seen).toEqual([undefined]);
  });

  it("is refused as a usage error when it is not a W3C traceparent", async () => {
    const result = await runCliWith(
      { url: "http://127.0.0.1:9", env: { TRACEPARENT: "00-not-a-trace-01" } },
      "users",
      "get",
      "1",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^TRACEPARENT "00-not-a-trace-01" is not a W3C traceparent/);
  });
});
