/** One keyset page as every list procedure returns it. */
export type Page<T> = { items: T[]; nextCursor: number | null };

/**
 * Walks keyset pages from the first to the last, one request in flight and one page in memory at a
 * time, whatever the table size.
 */
export async function* walkPages<T>(
  fetchPage: (cursor: number | null) => Promise<Page<T>>,
  start: number | null = null,
): AsyncGenerator<T[]> {
  let cursor: number | null = start;
  do {
    const page: Page<T> = await fetchPage(cursor);
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/** Every item of every page from `start` on, for lists a person asked to see whole (`--all`). */
export async function collectPages<T>(
  fetchPage: (cursor: number | null) => Promise<Page<T>>,
  start: number | null = null,
): Promise<T[]> {
  const all: T[] = [];
  for await (const items of walkPages(fetchPage, start)) all.push(...items);
  return all;
}
