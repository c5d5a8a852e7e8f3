import { initTRPC } from "@trpc/server";
import type { Context } from "./context.ts";
import { formatError } from "./error-formatter.ts";

// isDev stays off: the formatter decides per context what an error reveals.
// Subscriptions (server-sent events) ping every 10 s, so proxies keep an idle stream open and a
// client whose connection silently died notices within 25 s and reconnects with its last id.
export const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter: formatError,
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
});
