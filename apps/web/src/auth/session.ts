import type { RouterOutputs } from "@app/client";
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { getErrorCode } from "../lib/api-errors.ts";
import { navigate } from "../router.tsx";
import { useTRPCClient } from "../trpc.ts";

/** The signed-in account, as `auth.me` returns it. */
export type SignedInUser = RouterOutputs["auth"]["me"];

/**
 * Who is signed in: the answer of `auth.me`, or null when it answered 401 (signed out). The
 * session itself is the HttpOnly cookie the server set; the app never sees or keeps its token.
 */
export const sessionKey = ["session"] as const;

/** Asks `auth.me` once (then on demand): the user, null when signed out, an error if unreachable. */
export function useSession() {
  const client = useTRPCClient();
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<SignedInUser | null> => {
      try {
        return await client.auth.me.query();
      } catch (error) {
        if (getErrorCode(error) === "UNAUTHORIZED") return null;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The signed-in user, or undefined while unknown or signed out. */
export function useMe(): SignedInUser | undefined {
  return useSession().data ?? undefined;
}

/** Where a person's own page is. */
export function homeOf(user: { id: number }): string {
  return `/users/${user.id}`;
}

/** Forgets everything cached for whoever was signed in, keeping only the session entry. */
function forgetCachedData(queryClient: QueryClient) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
  queryClient.getMutationCache().clear();
}

/** After a sign-in or sign-up: nothing cached from before, the new user, and their own page. */
export function startSession(queryClient: QueryClient, user: SignedInUser) {
  forgetCachedData(queryClient);
  queryClient.setQueryData(sessionKey, user);
  navigate(homeOf(user), { replace: true });
}

/** After signing out, or when the server says the session is gone: the sign-in page, nothing cached. */
export function endSession(queryClient: QueryClient, notice?: string) {
  queryClient.setQueryData(sessionKey, null);
  forgetCachedData(queryClient);
  navigate("/signin", { notice });
}

export const sessionEndedNotice = "Your session has ended. Sign in again.";

/**
 * Any call that answers 401 while someone is signed in means the session ended elsewhere (signed
 * out in another tab, expired, the account deleted): back to the sign-in page. While signed out,
 * a 401 is a sign-in's wrong password, which its form shows.
 */
export function endSessionIfUnauthorized(queryClient: QueryClient, error: unknown) {
  if (getErrorCode(error) !== "UNAUTHORIZED") return;
  if (!queryClient.getQueryData<SignedInUser | null>(sessionKey)) return;
  endSession(queryClient, sessionEndedNotice);
}
