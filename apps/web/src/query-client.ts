import { QueryClient } from "@tanstack/react-query";
import { isUnreachable } from "./lib/api-errors.ts";

/**
 * Retries only when no server answered (a restart, a blip); a 4xx will not change on retry.
 * No refetch on focus: it would replace a form being edited with fresh data unannounced; a
 * stale save is caught by the user's `version` instead.
 */
export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => isUnreachable(error) && failureCount < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
