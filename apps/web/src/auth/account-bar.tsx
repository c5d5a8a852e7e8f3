import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError, getErrorCode } from "../lib/api-errors.ts";
import { Link } from "../router.tsx";
import { useTRPC } from "../trpc.ts";
import { endSession, homeOf, type SignedInUser } from "./session.ts";

/** The header's right side: the users list (admins only), who is signed in, and "Sign out". */
export function AccountBar({ user }: { user: SignedInUser }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({ onSuccess: () => endSession(queryClient) }),
  );
  // A 401 means the session had already ended: the query client has sent the person to sign in.
  const failed = signOut.isError && getErrorCode(signOut.error) !== "UNAUTHORIZED";
  return (
    <nav className="account" aria-label="Account">
      {user.role === "admin" && <Link href="/">All users</Link>}
      <span className="signed-in-as">
        Signed in as <Link href={homeOf(user)}>{user.name}</Link>
      </span>
      <button
        type="button"
        className="secondary"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate()}
      >
        {signOut.isPending ? "Signing out…" : "Sign out"}
      </button>
      {failed && (
        <span className="form-error" role="alert">
          {describeError(signOut.error)}
        </span>
      )}
    </nav>
  );
}
