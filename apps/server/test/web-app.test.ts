import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { webApp } from "../src/web-app.ts";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A fastify app with the web app plugin over a fake build, and a route standing in for the API. */
async function appWithBuild({ built }: { built: boolean }) {
  const folder = mkdtempSync(join(tmpdir(), "web-dist-"));
  folders.push(folder);
  // A file beside the build, which no path may reach.
  writeFileSync(join(folder, "secret.txt"), "not for the web");
  const root = join(folder, "dist");
  mkdirSync(root);
  if (built) {
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
    writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
  }
  const app = Fastify();
  app.get("/health", async () => ({ status: "ok" }));
  await app.register(webApp, { root });
  return app;
}

describe("web app at /", () => {
  it("serves index.html at / and at deep links, revalidated on every load", async () => {
    await using app = await appWithBuild({ built: true });
    for (const url of ["/", "/users/3", "/users/3?tab=items"]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["content-type"]).toMatch(/^text\/html/);
      expect(response.headers["cache-control"]).toBe("no-cache");
      expect(response.body).toContain("<title>app</title>");
    }
  });

  it("serves hashed assets as immutable and answers 404 for a missing file", async () => {
    await using app = await appWithBuild({ built: true });
    const asset = await app.inject({ url: "/assets/index-abc123.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await app.inject({ url: "/assets/gone-000.js" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/../package.json" })).statusCode).not.toBe(200);
  });

  it("sends each file with its type and validators, and a 304 for a copy still current", async () => {
    await using app = await appWithBuild({ built: true });
    const asset = await app.inject({ url: "/assets/index-abc123.js" });
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["content-length"]).toBe(String("console.log(1)".length));
    expect(asset.body).toBe("console.log(1)");
    const etag = String(asset.headers.etag);
    const lastModified = String(asset.headers["last-modified"]);
    for (const headers of [{ "if-none-match": etag }, { "if-modified-since": lastModified }]) {
      const revalidated = await app.inject({ url: "/assets/index-abc123.js", headers });
      expect(revalidated.statusCode).toBe(304);
      expect(revalidated.body).toBe("");
    }
    const changed = await app.inject({ url: "/", headers: { "if-none-match": 'W/"0-0"' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toMatch(/^W\/"/);
    const head = await app.inject({ method: "HEAD", url: "/assets/index-abc123.js" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
  });

  it("never sends a file from outside the build folder, however the path is spelled", async () => {
    await using app = await appWithBuild({ built: true });
    for (const url of [
      "/../secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/assets/..%2F..%2Fsecret.txt",
      "/%2E%2E%5Csecret.txt",
      "//secret.txt",
      "/assets/%2Fetc%2Fhostname.txt",
      "/assets/index-abc123.js%00.txt",
      "/assets/%E0%A4%A.js",
    ]) {
      const response = await app.inject({ url });
      // 400: fastify's own answer to a path that does not decode.
      expect([400, 404], url).toContain(response.statusCode);
      expect(response.body, url).not.toContain("not for the web");
    }
  });

  it("leaves the API's paths alone: unknown ones are 404s, not the app", async () => {
    await using app = await appWithBuild({ built: true });
    expect((await app.inject({ url: "/health" })).json()).toEqual({ status: "ok" });
    for (const url of ["/trpc", "/trpc/nope", "/api/users/", "/docs", "/redoc", "/openapi.json"]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.body, url).not.toContain("<title>app</title>");
    }
  });

  it("says the app is not built, instead of failing, when dist is missing", async () => {
    await using app = await appWithBuild({ built: false });
    const response = await app.inject({ url: "/users/3" });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain("The web app is not built");
    expect(response.body).toContain("npm run build");
  });
});
