import { toTRPCError } from "./errors.ts";
import { t } from "./init.ts";

/**
 * One unit of work per procedure call: a fresh EntityManager fork (its own identity map), and for
 * mutations one transaction that commits when the procedure returns and rolls back when it fails.
 * Forking here, not in createContext, keeps the calls of one HTTP batch independent.
 */
export const unitOfWork = t.middleware(async ({ ctx, type, next }) => {
  const em = ctx.orm.em.fork();
  if (type !== "mutation") {
    const result = await next({ ctx: { em } });
    if (!result.ok) throw toTRPCError(result.error);
    return result;
  }
  try {
    return await em.transactional(async (trx) => {
      const result = await next({ ctx: { em: trx } });
      // next() reports a failure instead of throwing it; throwing is what makes the transaction roll back.
      if (!result.ok) throw result.error;
      return result;
    });
  } catch (error) {
    // Also what begin and commit throw (a lock not granted in time, a dropped connection).
    throw toTRPCError(error);
  }
});
