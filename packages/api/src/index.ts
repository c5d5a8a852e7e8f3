export { type Context, type CreateContextOptions, createContext } from "./context.ts";
export { toTRPCError } from "./errors.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
