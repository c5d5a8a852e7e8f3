import { describeIssues, inputErrorsOf, publicMessage } from "@app/api";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { z } from "zod";
import { toTransportError } from "../framework-errors.ts";

const errorCodes = Object.keys(TRPC_ERROR_CODES_BY_KEY) as [TRPC_ERROR_CODE_KEY, ...TRPC_ERROR_CODE_KEY[]];

/** Every REST error body, whatever failed: the procedure, the transport, or the route lookup. */
export const restErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string(),
      /** Invalid input only: the messages for each failing field, by field name. */
      fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
      /** Invalid input only: the messages about the input as a whole. */
      formErrors: z.array(z.string()).optional(),
    }),
  })
  .meta({ description: "An error: its tRPC code, a message a person can act on, and any field errors." });
export type RestErrorBody = z.infer<typeof restErrorBody>;

export type RestError = { status: number; body: RestErrorBody };

/**
 * The one place where anything thrown while serving a REST call becomes a status and a body.
 * Unexpected errors are a 500 whose message stays hidden unless `exposeErrors`.
 */
export function toRestError(error: unknown, options: { exposeErrors: boolean }): RestError {
  return fromTRPCError(toTransportError(error), options);
}

/**
 * Invalid input named as the REST caller named it: `POST /api/users/{id}/items/` reports a bad
 * `id`, not the `userId` field of `items.create` it fills.
 */
export function renameInputFields(error: unknown, names: Record<string, string>): unknown {
  if (!(error instanceof TRPCError) || !(error.cause instanceof z.ZodError)) return error;
  const restName = new Map(Object.entries(names).map(([rest, field]) => [field, rest]));
  if (restName.size === 0) return error;
  const issues = error.cause.issues.map((issue) => {
    const [head, ...tail] = issue.path;
    return typeof head === "string" ? { ...issue, path: [restName.get(head) ?? head, ...tail] } : issue;
  });
  const message = describeIssues(issues);
  // ZodRealError: a plain ZodError is no Error, and TRPCError would wrap it out of sight.
  return new TRPCError({ code: error.code, message, cause: new z.ZodRealError(issues) });
}

function fromTRPCError(error: TRPCError, { exposeErrors }: { exposeErrors: boolean }): RestError {
  const body: RestErrorBody = { error: { code: error.code, message: publicMessage(error, exposeErrors) } };
  const inputErrors = inputErrorsOf(error);
  if (inputErrors) {
    body.error.fieldErrors = definedEntries(inputErrors.fieldErrors);
    if (inputErrors.formErrors.length > 0) body.error.formErrors = inputErrors.formErrors;
  }
  return { status: getHTTPStatusCodeFromError(error), body };
}

/** `flattenError` types its record as partial; keep only the fields that have messages. */
function definedEntries(record: Record<string, string[] | undefined>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string[]] => entry[1] !== undefined),
  );
}
