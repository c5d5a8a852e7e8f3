/**
 * Runs the calls `size` at a time: each group starts in one tick, so the client sends it as one
 * batched HTTP request, and the next group waits for it. One group in flight keeps the server's
 * ids in the order of the calls, which is what lets an export re-import to the same order.
 */
export async function settleInBatches<T>(
  calls: ReadonlyArray<() => Promise<T>>,
  size: number,
): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = [];
  for (let start = 0; start < calls.length; start += size) {
    const group = calls.slice(start, start + size);
    results.push(...(await Promise.allSettled(group.map((call) => call()))));
  }
  return results;
}
