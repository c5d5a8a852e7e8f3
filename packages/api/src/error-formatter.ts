import type { TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import type { Context } from "./context.ts";
import { inputErrorsOf, publicMessage } from "./errors.ts";

type FormatterOptions = { shape: TRPCDefaultErrorShape; error: TRPCError; ctx: Context | undefined };

/**
 * Shapes every tRPC error on the wire: zod field errors in `data.zodError`, and unexpected errors
 * reduced to "Internal server error" (no message, no stack) unless the context exposes them.
 */
export function formatError({ shape, error, ctx }: FormatterOptions) {
  const exposeErrors = ctx?.exposeErrors ?? false;
  const { stack: _stack, ...data } = shape.data;
  return {
    ...shape,
    message: publicMessage(error, exposeErrors),
    data: {
      ...data,
      ...(exposeErrors && error.stack ? { stack: error.stack } : {}),
      zodError: inputErrorsOf(error),
    },
  };
}
