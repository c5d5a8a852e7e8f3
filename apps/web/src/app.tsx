import { NotFoundPage } from "./not-found-page.tsx";
import { Link, usePathname } from "./router.tsx";
import { UserPage } from "./user/user-page.tsx";
import { UsersPage } from "./users/users-page.tsx";

/** The page for a path: `/`, `/users/:id`, or not found. */
function route(path: string) {
  if (path === "/" || path === "") return <UsersPage />;
  const userPath = /^\/users\/([1-9]\d{0,15})\/?$/.exec(path);
  if (userPath?.[1]) {
    const id = Number(userPath[1]);
    // key: a different user is a fresh page, not the same forms with stale values.
    if (Number.isSafeInteger(id)) return <UserPage key={id} id={id} />;
  }
  return <NotFoundPage />;
}

export function App() {
  const path = usePathname();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Users &amp; items
        </Link>
      </header>
      <main id="main">{route(path)}</main>
    </>
  );
}
