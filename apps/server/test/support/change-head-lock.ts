import { createOrm } from "@app/db";

export type ChangeHeadLock = {
  /** Ends the lock's transaction: what waited on the head goes on. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * Locks PostgreSQL's `change_head` from a connection of its own until `release` (or disposal):
 * a feed without subscribers reads the head first, and waits behind the lock.
 */
export async function lockChangeHead(url: string): Promise<ChangeHeadLock> {
  const locker = await createOrm({ url, poolMax: 1 });
  const { promise: locked, resolve: lockTaken } = Promise.withResolvers<void>();
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const holding = locker.em.fork().transactional(async (tx) => {
    await tx.execute("lock table change_head in access exclusive mode");
    lockTaken();
    await released;
  });
  await Promise.race([locked, holding]);
  const end = async () => {
    release();
    await holding;
  };
  return {
    release: end,
    async [Symbol.asyncDispose]() {
      await end().finally(() => locker.close(true));
    },
  };
}
