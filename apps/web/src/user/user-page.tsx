import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useMe } from "../auth/session.ts";
import { LoadError, Loading } from "../components/states.tsx";
import { getErrorCode } from "../lib/api-errors.ts";
import { useDocumentTitle } from "../lib/use-document-title.ts";
import { NotFoundPage } from "../not-found-page.tsx";
import { Link } from "../router.tsx";
import { useTRPC } from "../trpc.ts";
import { ChangePasswordForm } from "./change-password-form.tsx";
import { DeleteUser } from "./delete-user.tsx";
import { EditUserForm, type SaveOutcome } from "./edit-user-form.tsx";
import { History } from "./history.tsx";
import { Items } from "./items.tsx";

export function UserPage({ id }: { id: number }) {
  const trpc = useTRPC();
  const me = useMe();
  const query = useQuery(trpc.users.byId.queryOptions({ id }));
  const [outcome, setOutcome] = useState<SaveOutcome>();
  useDocumentTitle(query.data?.name ?? `User ${id}`);

  if (query.isPending) return <Loading>Loading user…</Loading>;
  if (query.isError) {
    if (getErrorCode(query.error) === "NOT_FOUND") {
      return <NotFoundPage message={`There is no user ${id}: it may have been deleted.`} />;
    }
    return (
      <>
        <BackLink />
        <LoadError error={query.error} onRetry={() => void query.refetch()} />
      </>
    );
  }
  const user = query.data;
  return (
    <>
      <BackLink />
      <h1>{user.name}</h1>
      <p className="meta">
        {user.email}
        {user.role === "admin" && " · admin"}
      </p>
      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        {outcome === "stale" && (
          <p className="notice warning" role="alert">
            Someone else changed this user while you were editing. The form now shows their version; make your
            change again if it is still needed.
          </p>
        )}
        {outcome === "saved" && (
          <p className="notice" role="status">
            Saved.
          </p>
        )}
        <EditUserForm user={user} onOutcome={setOutcome} />
      </section>
      <Items user={user} />
      <History user={user} />
      {user.id === me?.id && (
        <section className="card" aria-labelledby="password-heading">
          <h2 id="password-heading">Password</h2>
          <ChangePasswordForm userId={user.id} />
        </section>
      )}
      <section className="card danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">{user.id === me?.id ? "Delete your account" : "Delete this user"}</h2>
        <DeleteUser user={user} />
      </section>
    </>
  );
}

/** Back to the users list, which only admins have. */
function BackLink() {
  if (useMe()?.role !== "admin") return null;
  return (
    <p className="back">
      <Link href="/">← All users</Link>
    </p>
  );
}
