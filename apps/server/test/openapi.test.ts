import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { restRoutes } from "../src/transport/rest/routes.ts";
import { startTestServer } from "./support/harness.ts";

const documentShape = z.looseObject({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.looseObject({ operationId: z.string() }))),
  components: z.object({ schemas: z.record(z.string(), z.looseObject({})) }),
});

async function fetchDocument(url: string) {
  const response = await fetch(`${url}/openapi.json`);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return documentShape.parse(await response.json());
}

/** Every `src` and `href` a page loads. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
}

describe("/openapi.json and the docs pages", () => {
  it("serves an OpenAPI 3.1 document that a validator accepts", async () => {
    await using server = await startTestServer();
    const document = await fetchDocument(server.url);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents every route of the table as an operation named after its procedure", async () => {
    await using server = await startTestServer();
    const { paths } = await fetchDocument(server.url);
    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    expect(documented.sort()).toEqual(restRoutes.map((r) => `${r.method} ${r.path} ${r.procedure}`).sort());
  });

  it("documents ids, limits and cursors as integers, and the error body once", async () => {
    await using server = await startTestServer();
    const document = await fetchDocument(server.url);
    const text = JSON.stringify(document);
    expect(text).toContain('{"name":"id","in":"path","required":true,"schema":{"type":"integer"');
    expect(text).toContain(
      '{"name":"limit","in":"query","required":false,"schema":{"default":20,"type":"integer"',
    );
    expect(text).toContain('{"name":"cursor","in":"query","required":false,"schema":{"type":"integer"');
    expect(text).toContain('"400":{"description"');
    expect(text.match(/"#\/components\/schemas\/Error"/g)?.length).toBeGreaterThan(10);
  });

  it("bounds every number a caller sends by what every database stores (2147483647), and says so", async () => {
    await using server = await startTestServer();
    const { paths } = await fetchDocument(server.url);
    const integerShape = z.looseObject({
      type: z.literal("integer"),
      minimum: z.number(),
      maximum: z.number(),
    });
    const numbers: Record<string, unknown> = {};
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const { parameters = [], requestBody } = z
          .looseObject({
            parameters: z
              .array(z.looseObject({ name: z.string(), in: z.string(), schema: z.looseObject({}) }))
              .optional(),
            requestBody: z
              .looseObject({
                content: z.object({
                  "application/json": z.object({
                    schema: z.looseObject({ properties: z.record(z.string(), z.looseObject({})) }),
                  }),
                }),
              })
              .optional(),
          })
          .parse(operation);
        const bodyFields = Object.entries(requestBody?.content["application/json"].schema.properties ?? {});
        const fields = [
          ...parameters.map((p) => [`${p.in} ${p.name}`, p.schema] as const),
          ...bodyFields.map(([name, schema]) => [`body ${name}`, schema] as const),
        ];
        for (const [where, schema] of fields) {
          if (schema.type === "integer") numbers[`${method.toUpperCase()} ${path} ${where}`] = schema;
        }
      }
    }
    const ids = { type: "integer", minimum: 1, maximum: 2147483647 };
    expect(numbers).toMatchObject({
      "GET /api/users/{id} path id": ids,
      "PUT /api/users/{id} body version": ids,
      "POST /api/users/{id}/items/ path id": ids,
      "GET /api/users/ query cursor": ids,
      "GET /api/items/ query userId": ids,
      "GET /api/items/ query cursor": ids,
      "GET /api/items/ query limit": { minimum: 1, maximum: 100 },
      "DELETE /api/auth/tokens/{id} path id": ids,
      "POST /api/auth/tokens body expiresInDays": { minimum: 1, maximum: 3650 },
      "GET /api/changes query after": { minimum: 0, maximum: 2147483647 },
      "GET /api/changes query entityId": ids,
      "GET /api/changes query ownerId": ids,
      "GET /api/changes/stream query after": { minimum: 0, maximum: 2147483647 },
    });
    // Every one of them, not only those named above, has both bounds, within what a database stores.
    expect(Object.keys(numbers).length).toBeGreaterThanOrEqual(20);
    for (const [where, schema] of Object.entries(numbers)) {
      const { minimum, maximum } = integerShape.parse(schema);
      expect(minimum, where).toBeGreaterThanOrEqual(0);
      expect(maximum, where).toBeLessThanOrEqual(2147483647);
    }
  });

  it("documents the change stream as server-sent events of Change, resumable by Last-Event-ID", async () => {
    await using server = await startTestServer();
    const { paths } = await fetchDocument(server.url);
    const stream = z
      .object({
        parameters: z.array(z.looseObject({ name: z.string(), in: z.string() })),
        responses: z.record(z.string(), z.looseObject({ content: z.record(z.string(), z.unknown()) })),
        security: z.array(z.record(z.string(), z.array(z.string()))),
      })
      .parse(paths["/api/changes/stream"]?.get);
    expect(stream.parameters.map((p) => `${p.in} ${p.name}`)).toEqual([
      "query after",
      "header Last-Event-ID",
    ]);
    expect(stream.responses["200"]?.content).toEqual({
      "text/event-stream": expect.objectContaining({
        schema: { type: "string" },
        "x-event-data": { $ref: "#/components/schemas/Change" },
      }),
    });
    expect(Object.keys(stream.responses)).toEqual(["200", "400", "401", "412", "500"]);
    expect(stream.responses["412"]?.content).toHaveProperty("application/json");
    expect(stream.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  });

  it("holds only schemas a strict JSON Schema 2020-12 validator compiles", async () => {
    await using server = await startTestServer();
    const { components } = await fetchDocument(server.url);
    const ajv = new Ajv2020({ strict: true });
    // The one keyword of the wrapper below that is not JSON Schema: it keeps `#/components/…` refs.
    ajv.addKeyword("components");
    addFormats.default(ajv);
    ajv.addSchema({ $id: "http://openapi.test/components", components }, undefined, undefined, false);
    for (const name of Object.keys(components.schemas)) {
      expect(
        () => ajv.compile({ $ref: `http://openapi.test/components#/components/schemas/${name}` }),
        name,
      ).not.toThrow();
    }
  });

  it.each([
    ["/docs", "swagger-ui-bundle.js"],
    ["/redoc", "redoc.standalone.js"],
  ])("serves %s from npm packages only, with no CDN", async (path, script) => {
    await using server = await startTestServer();
    for (const url of [path, `${path}/`]) {
      const page = await fetch(`${server.url}${url}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      // The browser itself refuses any other origin, should a bundle reach for one.
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      const html = await page.text();
      expect(html).not.toMatch(/https?:\/\//);
      const assets = assetUrls(html);
      expect(assets.some((asset) => asset.endsWith(script))).toBe(true);
      for (const asset of assets) {
        expect(asset.startsWith("/")).toBe(true);
        const response = await fetch(`${server.url}${asset}`);
        expect(response.status, asset).toBe(200);
        expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
      }
    }
  });

  it("points both pages at this server's /openapi.json, with no online validator", async () => {
    await using server = await startTestServer();
    const initializer = await (await fetch(`${server.url}/docs/swagger-initializer.js`)).text();
    expect(initializer).toContain('url: "/openapi.json"');
    expect(initializer).toContain("validatorUrl: null");
    expect(await (await fetch(`${server.url}/redoc`)).text()).toContain('spec-url="/openapi.json"');
    // No `servers`: "Try it out" calls the origin the document came from.
    expect((await fetchDocument(server.url)).servers).toBeUndefined();
  });
});
