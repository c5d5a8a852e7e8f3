export { type Context, type CreateContextOptions, createContext } from "./context.ts";
export { describeIssues, type InputErrors, inputErrorsOf, publicMessage, toTRPCError } from "./errors.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
