import { homeOf, useMe } from "./auth/session.ts";
import { useDocumentTitle } from "./lib/use-document-title.ts";
import { Link } from "./router.tsx";

export function NotFoundPage({ message = "There is no page at this address." }: { message?: string }) {
  useDocumentTitle("Not found");
  const me = useMe();
  return (
    <>
      <h1>Not found</h1>
      <p>{message}</p>
      <p>
        {me && me.role !== "admin" ? (
          <Link href={homeOf(me)}>Back to your page</Link>
        ) : (
          <Link href="/">Back to all users</Link>
        )}
      </p>
    </>
  );
}
