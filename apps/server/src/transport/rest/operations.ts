import { z } from "zod";
import { procedures } from "../procedures.ts";
import { pathParameterNames, type RestRoute, restRoutes } from "./routes.ts";

export type JsonSchema = z.core.JSONSchema.JSONSchema;

export type RestParameter = { name: string; field: string; required: boolean; schema: JsonSchema };

/**
 * What a REST route needs of its procedure: its kind and its zod input (if any) and output
 * schemas; a subscription's output is the schema of each event's data (the route's `events`).
 */
export type ProcedureSchemas = {
  type: "query" | "mutation" | "subscription";
  input: z.ZodType | undefined;
  output: z.ZodType;
};

/** A route with what its procedure declares, split into where each input field travels. */
export type RestOperation = RestRoute & {
  schemas: ProcedureSchemas;
  pathParameters: RestParameter[];
  queryParameters: RestParameter[];
  /** Input fields a request header fills (`Last-Event-ID`); never required. */
  headerParameters: RestParameter[];
  /** POST and PUT: the input's other fields, as a JSON object schema. */
  body: JsonSchema | undefined;
};

/** Every route of the table, checked against its procedure once, at start-up. */
export function resolveOperations(routes: readonly RestRoute[] = restRoutes): RestOperation[] {
  return routes.map(resolveOperation);
}

/** The schemas a route's procedure declares; a procedure without them stops the server at start-up. */
function procedureSchemas(route: RestRoute): ProcedureSchemas {
  const path = route.procedure;
  const procedure = procedures.get(path);
  if (procedure === undefined) throw new Error(`REST route for "${path}": no such procedure`);
  // A subscription declares no .output(): the route names its events' schema.
  const output = procedure.kind === "subscription" ? route.events : procedure.output;
  if (!output || (procedure.takesInput && !procedure.input)) {
    throw new Error(
      `REST route for "${path}": the procedure needs an .output() (a subscription: the route's events) and at most one zod .input()`,
    );
  }
  return { type: procedure.kind, input: procedure.input, output };
}

function resolveOperation(route: RestRoute): RestOperation {
  const schemas = procedureSchemas(route);
  const expected =
    route.method !== "GET" ? "mutation" : route.events === undefined ? "query" : "subscription";
  if (schemas.type !== expected) {
    throw new Error(
      `${route.method} ${route.path} needs a ${expected}, "${route.procedure}" is a ${schemas.type}`,
    );
  }
  // The input's JSON Schema is written when first asked for (the first request to the route, or
  // /openapi.json): writing every route's at start-up took about 5 ms of each server process's
  // start. The contract test (openapi-contract.test.ts) resolves every route in full.
  let fields: InputFields | undefined;
  const inputFields = () => {
    fields ??= splitInput(route, schemas);
    return fields;
  };
  return {
    ...route,
    schemas,
    get pathParameters() {
      return inputFields().pathParameters;
    },
    get queryParameters() {
      return inputFields().queryParameters;
    },
    get headerParameters() {
      return inputFields().headerParameters;
    },
    get body() {
      return inputFields().body;
    },
  };
}

type InputFields = Pick<RestOperation, "pathParameters" | "queryParameters" | "headerParameters" | "body">;

/** Where each field of the route's input travels: the path, the query string, a header or the body. */
function splitInput(route: RestRoute, schemas: ProcedureSchemas): InputFields {
  const input: JsonSchema = schemas.input
    ? toJsonSchema(schemas.input, "input")
    : { type: "object", properties: {}, additionalProperties: false };
  const properties = objectProperties(input);
  const required = new Set(input.required ?? []);
  const parameter = (name: string, field: string): RestParameter => {
    const schema = properties[field];
    if (schema === undefined)
      throw new Error(`${route.path}: "${route.procedure}" has no input field "${field}"`);
    return { name, field, required: required.has(field), schema: withoutNull(schema) };
  };

  const pathParameters = pathParameterNames(route.path).map((name) =>
    parameter(name, route.inputNames?.[name] ?? name),
  );
  const headerParameters = Object.entries(route.headerNames ?? {}).map(([name, field]) => ({
    ...parameter(name, field),
    required: false,
  }));
  const bound = new Set([...pathParameters, ...headerParameters].map((p) => p.field));
  const rest = Object.keys(properties).filter((field) => !bound.has(field));
  const hasBody = (route.method === "POST" || route.method === "PUT") && schemas.input !== undefined;
  return {
    pathParameters: pathParameters.map((p) => ({ ...p, required: true })),
    queryParameters: hasBody ? [] : rest.map((field) => parameter(field, field)),
    headerParameters,
    body: hasBody ? objectSchemaOf(input, rest) : undefined,
  };
}

/** zod's JSON Schema for OpenAPI 3.1 (draft 2020-12), without the `$schema` a fragment must not carry. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, target: "draft-2020-12" });
  return json;
}

function objectProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (typeof property === "object") properties[name] = property;
  }
  return properties;
}

/** The object schema restricted to `fields` (zod 4 cannot `.omit()` a refined object, JSON can). */
function objectSchemaOf(schema: JsonSchema, fields: string[]): JsonSchema {
  const properties = objectProperties(schema);
  return {
    type: "object",
    properties: Object.fromEntries(fields.map((field) => [field, properties[field] ?? {}])),
    required: (schema.required ?? []).filter((field) => fields.includes(field)),
    ...(schema.additionalProperties === undefined
      ? {}
      : { additionalProperties: schema.additionalProperties }),
  };
}

/** A query string cannot carry `null`: `cursor` is documented as the integer it is when present. */
function withoutNull(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf?.filter((branch) => branch.type !== "null");
  if (branches?.length !== 1 || branches[0] === undefined) return schema;
  const { anyOf: _, ...rest } = schema;
  return { ...rest, ...branches[0] };
}
