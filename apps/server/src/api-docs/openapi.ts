import { anonymousPaths } from "@app/api";
import {
  apiTokenList,
  apiTokenOutput,
  changeOutput,
  changePage,
  createdApiTokenOutput,
  deletedOutput,
  itemOutput,
  itemPage,
  maxDatabaseInt,
  sessionOutput,
  userOutput,
  userPage,
} from "@app/api/schemas";
import { z } from "zod";
import { restErrorBody } from "../transport/rest/errors.ts";
import {
  type JsonSchema,
  type RestOperation,
  type RestParameter,
  toJsonSchema,
} from "../transport/rest/operations.ts";

type OpenApiOperation = Record<string, unknown>;

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, string>>;
  };
};

// Output schemas worth a name in the document; everything else is written out where it is used.
const components = z.registry<{ id: string }>();
components.add(userOutput, { id: "User" });
components.add(itemOutput, { id: "Item" });
components.add(userPage, { id: "UserPage" });
components.add(itemPage, { id: "ItemPage" });
components.add(deletedOutput, { id: "Deleted" });
components.add(sessionOutput, { id: "Session" });
components.add(apiTokenOutput, { id: "ApiToken" });
components.add(apiTokenList, { id: "ApiTokenList" });
components.add(createdApiTokenOutput, { id: "NewApiToken" });
components.add(changeOutput, { id: "Change" });
components.add(changePage, { id: "ChangePage" });
components.add(restErrorBody, { id: "Error" });

const errorDescriptions: Record<number, string> = {
  400: "Invalid input: `fieldErrors` names each failing field, `formErrors` anything about the whole",
  401: "Not signed in, or the session or token has ended (for sign-in: wrong email or password)",
  403: "Signed in, but not allowed: admins only, a role change, or a cross-origin request with only the cookie",
  404: "The user or item does not exist, or is not yours",
  409: "The email is taken, or `version` is not the user's current version",
  412: "The resume point (`Last-Event-ID` or `after`) is older than the history kept (CHANGES_RETENTION_DAYS): reload, then follow without `after`",
  413: "The body is over 1 MB",
  415: "The body is not `application/json`",
  429: "Too many failed sign-ins: wait the `Retry-After` seconds",
  500: "Unexpected failure; its message is hidden outside development",
};

const securitySchemes = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description:
      "A session token (`uis_…`, from `POST /api/auth/signin`) or an API token (`uit_…`, from " +
      "`POST /api/auth/tokens`). In Swagger UI: sign in, copy `token`, then Authorize.",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: "sid",
    description: "The HttpOnly session cookie sign-in sets; browsers send it by themselves.",
  },
};

/** OpenAPI 3.1 for the REST surface, generated from the procedures' own zod schemas. */
export function buildOpenApiDocument(operations: readonly RestOperation[]): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const operation of operations) {
    const methods = paths[operation.path] ?? {};
    methods[operation.method.toLowerCase()] = describeOperation(operation);
    paths[operation.path] = methods;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Users and items",
      version: "1.0.0",
      description:
        "REST views of the tRPC procedures at `/trpc`: same validation, same unit of work per call, " +
        "same errors. Paths answer with and without a trailing slash.",
    },
    tags: [
      { name: "users", description: "Users, each with their items" },
      { name: "items", description: "Items, each owned by a user" },
      { name: "auth", description: "Accounts: sign-up, sign-in, sessions and API tokens" },
      { name: "changes", description: "The change log: every committed change to a user or item, in order" },
    ],
    paths,
    components: { schemas: componentSchemas(), securitySchemes },
  };
}

function describeOperation(operation: RestOperation): OpenApiOperation {
  const { example } = operation;
  const parameters = [
    ...operation.pathParameters.map((p) => describeParameter(p, "path", example.params?.[p.name])),
    ...operation.queryParameters.map((p) => describeParameter(p, "query", example.query?.[p.name])),
    ...operation.headerParameters.map((p) => ({
      ...describeParameter(p, "header", undefined),
      ...(headerDescriptions[p.name] === undefined ? {} : { description: headerDescriptions[p.name] }),
    })),
  ];
  const bodyStatuses = operation.body === undefined ? [] : [413, 415];
  const anonymous = anonymousPaths.has(operation.procedure);
  // Every mutation can meet the cross-origin refusal (403), whatever else it refuses.
  const crossOrigin = operation.method === "GET" ? [] : [403];
  const statuses = new Set([
    400,
    ...(anonymous ? [] : [401]),
    ...operation.errors,
    ...crossOrigin,
    ...bodyStatuses,
    500,
  ]);
  const errorStatuses = [...statuses].sort((a, b) => a - b);
  return {
    operationId: operation.procedure,
    tags: [operation.procedure.split(".")[0]],
    summary: operation.summary,
    description:
      operation.schemas.type === "subscription"
        ? `The tRPC subscription \`${operation.procedure}\` as server-sent events. ${eventStreamDescription}`
        : `The REST view of the tRPC procedure \`${operation.procedure}\`.`,
    // Anyone may call the anonymous ones; the rest take a bearer token or the session cookie.
    security: anonymous ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { "application/json": { schema: operation.body, example: example.body } },
          },
        }),
    responses: {
      [operation.status]:
        operation.schemas.type === "subscription"
          ? describeEventStream(operation.schemas.output)
          : {
              description: operation.status === 201 ? "Created" : "OK",
              content: { "application/json": { schema: refOrInline(operation.schemas.output) } },
            },
      ...Object.fromEntries(
        errorStatuses.map((status) => [
          status,
          {
            description: errorDescriptions[status] ?? "Error",
            content: { "application/json": { schema: refOrInline(restErrorBody) } },
          },
        ]),
      ),
    },
  };
}

const eventStreamDescription =
  "Each event is `id: <change id>` and `data: <the change as JSON>`, in id order, each once: first the " +
  "changes after the resume point (the `Last-Event-ID` header a reconnecting EventSource sends, else " +
  "`after`), then each one as it commits. Without either it starts from now. A comment line (`: ping`) " +
  "comes every 15 s. Refusals before the first event are JSON errors with their status; a failure " +
  "after it (the session ended, the client fell too far behind, the server is shutting down) is one " +
  "`event: error` frame whose data is the error body, then the end: resume from the last id received. " +
  '(Swagger UI\'s "Try it out" shows nothing until the response ends: follow it with `curl -N` or an EventSource.)';

/** What the request headers that fill an input field mean. */
const headerDescriptions: Record<string, string> = {
  "Last-Event-ID":
    `The id of the last event received (digits, at most ${maxDatabaseInt}): an EventSource sends it by ` +
    "itself when it reconnects. Wins over `after`.",
};

/**
 * A stream's success: OpenAPI 3.1 has no schema for the events of a stream, so the body is a
 * string, and `x-event-data` gives the schema of each event's `data` (OpenAPI 3.2 calls it `itemSchema`).
 */
function describeEventStream(events: z.ZodType) {
  return {
    description: "A stream of server-sent events, one per change",
    content: {
      "text/event-stream": {
        schema: { type: "string" },
        "x-event-data": refOrInline(events),
        example:
          ': following\n\nid: 42\ndata: {"id":42,"at":"2026-01-05T10:00:00.000Z","actorId":2,' +
          '"entity":"item","entityId":7,"op":"update","fields":{"title":["Pen","Blue pen"]}}\n\n',
      },
    },
  };
}

function describeParameter(parameter: RestParameter, where: "path" | "query" | "header", example: unknown) {
  return {
    name: parameter.name,
    in: where,
    required: parameter.required,
    schema: parameter.schema,
    ...(example === undefined
      ? {}
      : { example: parameter.schema.type === "integer" ? Number(example) : example }),
  };
}

function refOrInline(schema: z.ZodType): JsonSchema {
  const named = components.get(schema);
  return named ? { $ref: `#/components/schemas/${named.id}` } : toJsonSchema(schema, "output");
}

function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(components, {
    io: "output",
    target: "draft-2020-12",
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each comes out as a standalone document; inside `components` the `$schema` and `$id` must go.
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _schema, $id: _id, ...schema }]) => [name, schema]),
  );
}
