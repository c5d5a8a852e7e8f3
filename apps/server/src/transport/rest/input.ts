import { TRPCError } from "@trpc/server";
import type { JsonSchema, RestOperation } from "./operations.ts";

export type RawRequest = {
  params: unknown;
  query: unknown;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
};

/**
 * The procedure's input, assembled from the path, then the query string or the JSON body, and
 * the headers the route names.
 * Path and query values are strings: those the schema declares as integers or booleans are
 * converted when they look like one, and left as strings otherwise, so that the procedure's own
 * validation names the field. Nothing else is checked here.
 */
export function buildInput(operation: RestOperation, request: RawRequest): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (operation.body !== undefined) {
    if (!isPlainObject(request.body)) {
      throw new TRPCError({ code: "BAD_REQUEST", message: "The body must be a JSON object" });
    }
    Object.assign(input, request.body);
  }
  const query = isPlainObject(request.query) ? request.query : {};
  for (const parameter of operation.queryParameters) {
    const value = query[parameter.name];
    if (value !== undefined) input[parameter.field] = coerce(value, parameter.schema);
  }
  for (const parameter of operation.headerParameters) {
    // An empty header is no header: EventSource sends `Last-Event-ID` only once it has an id.
    const value = request.headers[parameter.name.toLowerCase()];
    if (value !== undefined && value !== "") input[parameter.field] = coerce(value, parameter.schema);
  }
  // Path parameters last: `PUT /api/users/1` with `{"id": 2}` in the body updates user 1.
  const params = isPlainObject(request.params) ? request.params : {};
  for (const parameter of operation.pathParameters) {
    input[parameter.field] = coerce(params[parameter.name], parameter.schema);
  }
  return input;
}

function coerce(value: unknown, schema: JsonSchema): unknown {
  if (typeof value !== "string") return value;
  if (schema.type === "integer" && /^-?\d+$/.test(value)) return Number(value);
  if (schema.type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
