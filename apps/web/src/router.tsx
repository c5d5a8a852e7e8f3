import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useLayoutEffect,
  useMemo,
  useSyncExternalStore,
} from "react";

// A tiny History API router: the app has four pages, which does not pay for a router library.
const changeEvent = "app:navigate";

function subscribe(onChange: () => void) {
  window.addEventListener("popstate", onChange);
  window.addEventListener(changeEvent, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(changeEvent, onChange);
  };
}

/** The current path (`/users/3`), re-rendering on navigation and on back/forward. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The query string's parameters (`?search=ann&pages=2`), re-rendering when they change, Back and Forward included. */
export function useSearchParams(): URLSearchParams {
  const query = useSyncExternalStore(subscribe, () => window.location.search);
  return useMemo(() => new URLSearchParams(query), [query]);
}

/**
 * Sets the current page's query string (an empty or undefined value drops its parameter): a new
 * history entry, or with `replace` this one. Unlike `navigate` it never scrolls: the page stays.
 */
export function setSearchParams(params: Record<string, string | undefined>, { replace = false } = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const text = query.toString();
  const url = `${window.location.pathname}${text ? `?${text}` : ""}${window.location.hash}`;
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return;
  // A replaced entry keeps its state (a notice `navigate` left); a new one starts without.
  if (replace) window.history.replaceState(window.history.state, "", url);
  else window.history.pushState(null, "", url);
  window.dispatchEvent(new Event(changeEvent));
}

type NavigateOptions = {
  /** A one-line message the next page may show. */
  notice?: string | undefined;
  /** Replaces the current history entry (a redirect), so Back does not return to it. */
  replace?: boolean;
};

/** Goes to `path` without a reload. */
export function navigate(path: string, { notice, replace = false }: NavigateOptions = {}) {
  const state = notice ? { notice } : null;
  if (replace) window.history.replaceState(state, "", path);
  else window.history.pushState(state, "", path);
  window.dispatchEvent(new Event(changeEvent));
  window.scrollTo(0, 0);
}

/** Sends the browser to `to` in place of the current entry, as soon as it renders. */
export function Redirect({ to }: { to: string }) {
  useLayoutEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The notice `navigate` left for this page, if any. */
export function readNotice(): string | undefined {
  const state: unknown = window.history.state;
  if (typeof state === "object" && state !== null && "notice" in state && typeof state.notice === "string") {
    return state.notice;
  }
  return undefined;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An ordinary link that navigates in place; modified clicks (new tab…) keep the browser's behaviour. */
export function Link({ href, onClick, ...props }: LinkProps) {
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  }
  return <a href={href} onClick={handleClick} {...props} />;
}
