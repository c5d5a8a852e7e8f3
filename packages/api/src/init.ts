import { initTRPC } from "@trpc/server";
import type { Context } from "./context.ts";
import { formatError } from "./error-formatter.ts";

// isDev stays off: the formatter decides per context what an error reveals.
export const t = initTRPC.context<Context>().create({ isDev: false, errorFormatter: formatError });
