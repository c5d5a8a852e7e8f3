import { ReactQueryDevtools } from "@tanstack/react-query-devtools";

/** Loaded by main.tsx in development only; its flower button sits bottom left, clear of the page's own. */
export function Devtools() {
  return <ReactQueryDevtools initialIsOpen={false} buttonPosition="bottom-left" />;
}
