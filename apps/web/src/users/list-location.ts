import { setSearchParams } from "../router.tsx";

/**
 * Most pages an address may ask for: a reload or a shared link loads them one after the other,
 * so this bounds what a link can cost (50 calls, 1000 users) however it was written.
 */
export const maxPages = 50;

/** Where a person is in the users list: the search, and how many pages of it are shown. */
export type ListLocation = { search: string; pages: number };

/** The list's place from the address (`/?search=ann&pages=3`); anything unreadable is the start. */
export function readListLocation(params: URLSearchParams): ListLocation {
  const pages = params.get("pages") ?? "";
  return {
    search: (params.get("search") ?? "").trim(),
    pages: /^[1-9]\d{0,5}$/.test(pages) ? Math.min(Number(pages), maxPages) : 1,
  };
}

/** Puts the list's place in the address, leaving out what is the default (no search, one page). */
export function writeListLocation({ search, pages }: ListLocation, options: { replace: boolean }) {
  setSearchParams({ search, pages: pages > 1 ? String(pages) : undefined }, options);
}
