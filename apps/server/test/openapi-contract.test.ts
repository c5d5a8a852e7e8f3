import http from "node:http";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/api-docs/openapi.ts";
import { restErrorBody } from "../src/transport/rest/errors.ts";
import { resolveOperations } from "../src/transport/rest/operations.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";

type Parameter = {
  name: string;
  in: "path" | "query" | "header";
  schema: { type?: string; pattern?: string };
  example?: unknown;
};
type Operation = {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { example: Record<string, unknown>; schema: BodySchema } } };
  responses: Record<string, unknown>;
};
type BodySchema = { properties: Record<string, { type?: string | string[] }> };
type Walk = { path: string; method: string; operation: Operation };

// The walk follows the document itself; deletes go last (items before users) so that every
// other operation still finds the user and the item the suite starts with.
const document = JSON.parse(JSON.stringify(buildOpenApiDocument(resolveOperations())));
const paths: Record<string, Record<string, Operation>> = document.paths;
const deleteOrder = (walk: Walk) =>
  walk.method !== "delete" ? 0 : walk.path.startsWith("/api/items") ? 1 : 2;
const walks: Walk[] = Object.entries(paths)
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  )
  .sort((a, b) => deleteOrder(a) - deleteOrder(b));

const base = "http://contract.test/openapi.json";
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ ...document, $id: base });

/**
 * Validates a body against the schema the document gives for this operation and status; for an
 * event stream, an event's data against the schema of each event's data (`x-event-data`).
 */
function expectDocumented(walk: Walk, status: number, body: unknown, stream = false) {
  expect(Object.keys(walk.operation.responses), `${walk.method} ${walk.path} documents ${status}`).toContain(
    String(status),
  );
  const media = stream ? ["text/event-stream", "x-event-data"] : ["application/json", "schema"];
  const pointer = ["paths", walk.path, walk.method, "responses", String(status), "content", ...media]
    .map((part) => encodeURIComponent(part.replaceAll("~", "~0").replaceAll("/", "~1")))
    .join("/");
  const validate = ajv.getSchema(`${base}#/${pointer}`);
  if (validate === undefined) throw new Error(`no schema at ${pointer}`);
  expect(validate(body) ? [] : validate.errors, `${walk.method} ${walk.path} ${status} body`).toEqual([]);
}

type RequestParts = {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: unknown;
};

/** The answer: a JSON body, or for an event stream the data of its first event. */
type Answer = { status: number; body: unknown; stream: boolean };

async function send(walk: Walk, parts: RequestParts, credential = credentialFor(walk)): Promise<Answer> {
  const url = new URL(
    walk.path.replace(/\{(\w+)\}/g, (_, name: string) => String(parts.params[name])),
    server.url,
  );
  for (const [name, value] of Object.entries(parts.query)) url.searchParams.set(name, String(value));
  const headers: Record<string, string> = { ...parts.headers };
  const token = await credential;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (parts.body !== undefined) headers["content-type"] = "application/json";
  if ("text/event-stream" in documentedContent(walk, 200)) {
    return firstEvent(url, headers);
  }
  const response = await fetch(url, {
    method: walk.method.toUpperCase(),
    headers,
    ...(parts.body === undefined ? {} : { body: JSON.stringify(parts.body) }),
  });
  return { status: response.status, body: await response.json(), stream: false };
}

function documentedContent(walk: Walk, status: number): Record<string, unknown> {
  const response = walk.operation.responses[String(status)];
  const content = typeof response === "object" && response !== null ? Reflect.get(response, "content") : {};
  return typeof content === "object" && content !== null ? content : {};
}

/**
 * An event stream's first event (its data parsed), or the JSON error refusing it. Over node:http
 * on a connection of its own, closed after that event: undici would open a spare connection that
 * the closing server waits for.
 */
function firstEvent(url: URL, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      const status = response.statusCode ?? 0;
      const stream = String(response.headers["content-type"]).startsWith("text/event-stream");
      response.setEncoding("utf8");
      let text = "";
      response.on("data", (chunk: string) => {
        text += chunk;
        const data = /^data: (.*)$/m.exec(text);
        if (stream && data?.[1] !== undefined && text.includes("\n\n", data.index)) {
          request.destroy();
          resolve({ status, body: JSON.parse(data[1]), stream });
        }
      });
      response.on("end", () => resolve({ status, body: text === "" ? undefined : JSON.parse(text), stream }));
    });
    request.on("error", reject);
  });
}

function exampleParts({ operation }: Walk): RequestParts {
  const parts: RequestParts = { params: {}, query: {}, headers: {} };
  for (const parameter of operation.parameters ?? []) {
    if (parameter.example === undefined) continue;
    if (parameter.in === "header") parts.headers[parameter.name] = String(parameter.example);
    else (parameter.in === "path" ? parts.params : parts.query)[parameter.name] = parameter.example;
  }
  parts.body = operation.requestBody?.content["application/json"].example;
  return parts;
}

/**
 * Every integer, boolean or patterned (`Last-Event-ID`) parameter as a word, every body field as
 * a value of the wrong type.
 */
function invalidParts({ operation }: Walk): { parts: RequestParts; broken: string[] } {
  const parts: RequestParts = { params: {}, query: {}, headers: {} };
  const broken: string[] = [];
  for (const parameter of operation.parameters ?? []) {
    const typed = parameter.schema.type === "integer" || parameter.schema.type === "boolean";
    if (parameter.in === "header") {
      if (parameter.schema.pattern === undefined) continue;
      parts.headers[parameter.name] = "not-a-number";
      broken.push(parameter.name);
    } else if (parameter.in === "path" || typed) {
      (parameter.in === "path" ? parts.params : parts.query)[parameter.name] = "not-a-number";
      broken.push(parameter.name);
    }
  }
  const body = operation.requestBody?.content["application/json"].schema;
  if (body) {
    parts.body = Object.fromEntries(
      Object.entries(body.properties).map(([name, property]) => [
        name,
        property.type === "string" ? 42 : "text",
      ]),
    );
    broken.push(...Object.keys(body.properties));
  }
  return { parts, broken };
}

let started: TestServer | undefined;
/**
 * The server all walks share, holding user 1 (the admin), user 2 (Ann, the users' examples) and her
 * item 1 when the walk starts, and Dee, whose email and password the auth examples use.
 */
const server = {
  get url(): string {
    return running().url;
  },
};
function running(): TestServer {
  if (started === undefined) throw new Error("the server has not started");
  return started;
}
const dee = { email: "dee@example.com", password: "correct horse battery" };
let deeToken: string | undefined;
beforeAll(async () => {
  started = await startTestServer();
  const ann = await started.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
  await started.client.items.create.mutate({ userId: ann.id, title: "Pen" });
  await started.client.users.create.mutate({ name: "Dee", ...dee });
  deeToken = (await started.anonymous.auth.signIn.mutate(dee)).token;
});

/**
 * Who calls: nobody for the operations anyone may call; Dee for her own account's operations
 * (sign-out a fresh session of hers, so the others keep theirs); the admin for the rest.
 */
async function credentialFor(walk: Walk): Promise<string | undefined> {
  if (walk.operation.security.length === 0) return undefined;
  if (walk.operation.operationId === "auth.signOut") {
    return (await running().anonymous.auth.signIn.mutate(dee)).token;
  }
  return walk.operation.operationId.startsWith("auth.") ? deeToken : running().adminToken;
}
afterAll(() => started?.[Symbol.asyncDispose]());

describe("every operation in /openapi.json, against the real server", () => {
  it("is the document the server serves", async () => {
    expect(await (await fetch(`${server.url}/openapi.json`)).json()).toEqual(document);
    expect(walks).toHaveLength(20);
  });

  it.each(walks)("$method $path answers its example with the documented success", async (walk) => {
    const { status, body, stream } = await send(walk, exampleParts(walk));
    expect(status).toBeLessThan(300);
    expectDocumented(walk, status, body, stream);
  });

  const withInput = walks.filter((walk) => walk.operation.parameters || walk.operation.requestBody);
  it.each(withInput)("$method $path answers invalid input with a documented 400", async (walk) => {
    const { parts, broken } = invalidParts(walk);
    const { status, body } = await send(walk, parts);
    expect(status).toBe(400);
    expectDocumented(walk, status, body);
    const fields = Object.keys(restErrorBody.parse(body).error.fieldErrors ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect(broken).toContain(field);
  });

  it.each(walks.filter((walk) => "404" in walk.operation.responses))(
    "$method $path answers a missing id with a documented 404",
    async (walk) => {
      const parts = exampleParts(walk);
      for (const name of Object.keys(parts.params)) parts.params[name] = 999_999;
      const { status, body } = await send(walk, parts);
      expect(status).toBe(404);
      expectDocumented(walk, status, body);
    },
  );

  it.each(walks.filter((walk) => walk.operation.security.length > 0))(
    "$method $path answers a caller without credentials with a documented 401",
    async (walk) => {
      const { status, body } = await send(walk, exampleParts(walk), Promise.resolve(undefined));
      expect(status).toBe(401);
      expectDocumented(walk, status, body);
    },
  );
});
