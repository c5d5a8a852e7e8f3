import { useDocumentTitle } from "./lib/use-document-title.ts";
import { Link } from "./router.tsx";

export function NotFoundPage({ message = "There is no page at this address." }: { message?: string }) {
  useDocumentTitle("Not found");
  return (
    <>
      <h1>Not found</h1>
      <p>{message}</p>
      <p>
        <Link href="/">Back to all users</Link>
      </p>
    </>
  );
}
