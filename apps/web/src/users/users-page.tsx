import { useState } from "react";
import { useDebouncedValue } from "../lib/use-debounced-value.ts";
import { useDocumentTitle } from "../lib/use-document-title.ts";
import { readNotice } from "../router.tsx";
import { CreateUserForm } from "./create-user-form.tsx";
import { UserList } from "./user-list.tsx";

export function UsersPage() {
  useDocumentTitle("Users");
  const [notice] = useState(readNotice);
  const [search, setSearch] = useState("");
  const debouncedSearch = useDebouncedValue(search.trim(), 300);
  return (
    <>
      <h1>Users</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <section className="card" aria-labelledby="new-user-heading">
        <h2 id="new-user-heading">New user</h2>
        <CreateUserForm />
      </section>
      <section className="card" aria-labelledby="all-users-heading">
        <h2 id="all-users-heading">All users</h2>
        <div className="field search">
          <label htmlFor="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            placeholder="Name or email"
            autoComplete="off"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        <UserList search={debouncedSearch} />
      </section>
    </>
  );
}
