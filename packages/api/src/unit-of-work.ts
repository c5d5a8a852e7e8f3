import { changes, type EntityManager, inWriteTransaction } from "@app/db";
import { toTRPCError } from "./errors.ts";
import { t } from "./init.ts";
import { pokeChangeFeed } from "./live/change-feed.ts";

/**
 * One unit of work per procedure call: `ctx.em()` is the call's own EntityManager fork (its own
 * identity map), and for mutations one transaction that commits when the procedure returns and
 * rolls back when it fails. Forking here, not in createContext, keeps the calls of one HTTP batch
 * independent. A query's fork is made on its first `ctx.em()`: a `byId` call reads through the
 * request's loaders (`ctx.loaders`, which fork for each batch of ids) and never asks, and a fork
 * it does not use is a measurable share of such a call (docs/performance.md).
 */
export const unitOfWork = t.middleware(async ({ ctx, type, next }) => {
  if (type !== "mutation") {
    let fork: EntityManager | undefined;
    const em = () => {
      fork ??= ctx.orm.em.fork();
      return fork;
    };
    const result = await next({ ctx: { em } });
    if (!result.ok) throw toTRPCError(result.error);
    return result;
  }
  // Who acts, for the change log: resolved before the transaction (once per request, memoized).
  const actorId = (await ctx.identify())?.id ?? null;
  try {
    const committed = await inWriteTransaction(ctx.orm, async (trx) => {
      changes.actAs(trx, actorId);
      const result = await next({ ctx: { em: () => trx } });
      // next() reports a failure instead of throwing it; throwing is what makes the transaction roll back.
      if (!result.ok) throw result.error;
      return result;
    });
    // Followers on this server hear of it at once; other servers' at their next read.
    pokeChangeFeed(ctx.orm);
    return committed;
  } catch (error) {
    // Also what begin and commit throw (a lock not granted in time, a dropped connection).
    throw toTRPCError(error);
  }
});

/**
 * The unit of work of a mutation that must do slow work before it writes (hash or verify a
 * password, about 25 ms), which must not hold the write lock (SQLite's `begin immediate` holds
 * every process's) or a pooled connection meanwhile. `ctx.em()` reads outside any transaction;
 * `ctx.transaction(work)` runs the call's one transaction, which commits when `work` returns and
 * rolls back when it throws. A call may open one transaction at most.
 */
export const deferredUnitOfWork = t.middleware(async ({ ctx, next }) => {
  let fork: EntityManager | undefined;
  const em = () => {
    fork ??= ctx.orm.em.fork();
    return fork;
  };
  let opened = false;
  const transaction = async <T>(work: (trx: EntityManager) => Promise<T>): Promise<T> => {
    if (opened) throw new Error("A call opens one transaction at most");
    opened = true;
    const actorId = (await ctx.identify())?.id ?? null;
    const result = await inWriteTransaction(ctx.orm, (trx) => {
      changes.actAs(trx, actorId);
      return work(trx);
    });
    pokeChangeFeed(ctx.orm);
    return result;
  };
  const result = await next({ ctx: { em, transaction } });
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});
