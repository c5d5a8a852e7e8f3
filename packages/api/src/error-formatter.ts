import type { TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Context } from "./context.ts";

type FormatterOptions = { shape: TRPCDefaultErrorShape; error: TRPCError; ctx: Context | undefined };

/**
 * Shapes every error on the wire: zod field errors in `data.zodError`, and unexpected errors
 * reduced to "Internal server error" (no message, no stack) unless the context exposes them.
 */
export function formatError({ shape, error, ctx }: FormatterOptions) {
  const hidden = error.code === "INTERNAL_SERVER_ERROR" && !ctx?.exposeErrors;
  const { stack: _stack, ...data } = shape.data;
  return {
    ...shape,
    message: hidden ? "Internal server error" : shape.message,
    data: {
      ...data,
      ...(ctx?.exposeErrors && error.stack ? { stack: error.stack } : {}),
      zodError: error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null,
    },
  };
}
