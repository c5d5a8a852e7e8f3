import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { endSessionIfUnauthorized } from "./auth/session.ts";
import { isUnreachable } from "./lib/api-errors.ts";

/**
 * Retries only when no server answered (a restart, a blip); a 4xx will not change on retry.
 * No refetch on focus: it would replace a form being edited with fresh data unannounced; a
 * stale save is caught by the user's `version` instead. A 401 from any call while signed in
 * ends the session here, once for every query and mutation.
 */
export function createQueryClient() {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error) => endSessionIfUnauthorized(queryClient, error) }),
    mutationCache: new MutationCache({ onError: (error) => endSessionIfUnauthorized(queryClient, error) }),
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => isUnreachable(error) && failureCount < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
