import { id } from "@app/api/schemas";
import type { ReactNode } from "react";
import { AccountBar } from "./auth/account-bar.tsx";
import { homeOf, type SignedInUser, useSession } from "./auth/session.ts";
import { SignInPage } from "./auth/sign-in-page.tsx";
import { SignUpPage } from "./auth/sign-up-page.tsx";
import { LoadError, Loading } from "./components/states.tsx";
import { LiveUpdates } from "./live/live-updates.tsx";
import { NotFoundPage } from "./not-found-page.tsx";
import { Link, Redirect, usePathname } from "./router.tsx";
import { UserPage } from "./user/user-page.tsx";
import { UsersPage } from "./users/users-page.tsx";

/** Signed out: `/signup`, else the sign-in page at `/signin`, whatever was asked for. */
function signedOutRoute(path: string) {
  if (path === "/signup") return <SignUpPage />;
  if (path === "/signin") return <SignInPage />;
  return <Redirect to="/signin" />;
}

/**
 * Signed in: `/` (the users list for admins; anyone else's own page), `/users/:id`, or not found.
 * The sign-in and sign-up pages lead to the person's own page.
 */
function signedInRoute(path: string, me: SignedInUser) {
  if (path === "/signin" || path === "/signup") return <Redirect to={homeOf(me)} />;
  if (path === "/" || path === "") return me.role === "admin" ? <UsersPage /> : <Redirect to={homeOf(me)} />;
  const userPath = /^\/users\/([1-9]\d*)\/?$/.exec(path);
  // The API's own rule for an id (at most 2147483647): a larger one is no page, not a refused call.
  const userId = userPath ? id.safeParse(Number(userPath[1])) : undefined;
  // key: a different user is a fresh page, not the same forms with stale values.
  if (userId?.success) return <UserPage key={userId.data} id={userId.data} />;
  return <NotFoundPage />;
}

export function App() {
  const path = usePathname();
  const session = useSession();
  const me = session.data ?? undefined;

  let page: ReactNode;
  if (session.isPending) page = <Loading />;
  // No answer at all (or a 5xx): neither signed in nor out is known. A 401 is data: null.
  else if (session.isError) page = <LoadError error={session.error} onRetry={() => void session.refetch()} />;
  else page = me ? signedInRoute(path, me) : signedOutRoute(path);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="top-inner">
          <Link href={me ? (me.role === "admin" ? "/" : homeOf(me)) : "/signin"} className="brand">
            Users &amp; items
          </Link>
          {me && <AccountBar user={me} />}
        </div>
      </header>
      <main id="main">{page}</main>
      {/* Keyed by the user: another sign-in follows its own changes from now, not the last one's. */}
      {me && <LiveUpdates key={me.id} role={me.role} />}
    </>
  );
}
