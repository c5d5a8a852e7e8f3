import { authRouter } from "./routers/auth.ts";
import { changesRouter } from "./routers/changes.ts";
import { health } from "./routers/health.ts";
import { itemsRouter } from "./routers/items.ts";
import { usersRouter } from "./routers/users.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  items: itemsRouter,
  changes: changesRouter,
  health,
});

/** The router's type: all a client needs (`import type` only). */
export type AppRouter = typeof appRouter;

/** In-process calls without HTTP, for tests and scripts: `createCaller(createContext({ orm }))`. */
export const createCaller = createCallerFactory(appRouter);
