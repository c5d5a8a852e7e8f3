export { anonymousPaths, governedPaths } from "./access.ts";
export type { Caller, PresentedCredential } from "./auth/caller.ts";
export { clearedSessionCookie, sessionCookieName, sessionCookieOf } from "./auth/cookie.ts";
export { assertPasswordHashing, hashPassword, verifyPassword } from "./auth/passwords.ts";
export {
  type AuthSettings,
  type Context,
  type CreateContextOptions,
  createContext,
  defaultAuthSettings,
  type RequestInfo,
} from "./context.ts";
export { describeIssues, type InputErrors, inputErrorsOf, publicMessage, toTRPCError } from "./errors.ts";
export {
  type ChangeFeed,
  changeFeedOf,
  closeChangeFeed,
  defaultLiveSettings,
  type FeedNeighbours,
  type LiveSettings,
} from "./live/change-feed.ts";
export type { CallObserver, CallOutcome } from "./observe.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
