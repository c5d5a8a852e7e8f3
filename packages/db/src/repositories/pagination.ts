/** A keyset page: `nextCursor` is the last id of this page when another page follows, else null. */
export type Page<T> = { items: T[]; nextCursor: number | null };

/** Keyset page request: rows with an id above `cursor`, at most `limit` of them. */
export type PageQuery = { limit: number; cursor?: number | null | undefined };

/**
 * Turns `limit + 1` fetched rows into a page; the extra row only tells that another page exists,
 * so a client never gets a cursor that leads to an empty page.
 */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.length > limit ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}
