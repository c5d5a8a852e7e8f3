import { useEffect, useRef, useState } from "react";
import { useDebouncedValue } from "../lib/use-debounced-value.ts";
import { useDocumentTitle } from "../lib/use-document-title.ts";
import { readNotice, useSearchParams } from "../router.tsx";
import { CreateUserForm } from "./create-user-form.tsx";
import { readListLocation, writeListLocation } from "./list-location.ts";
import { UserList } from "./user-list.tsx";

/**
 * The users list, whose search and number of pages live in the address (`/?search=ann&pages=3`):
 * a reload, a shared link, and Back from a user's page all show the same list again. A search
 * becomes a history entry once it settles, one entry for each time the person comes to type in
 * the box (Back undoes a search, not each letter of it); "Load more" updates the current entry.
 */
export function UsersPage() {
  useDocumentTitle("Users");
  const [notice] = useState(readNotice);
  const location = readListLocation(useSearchParams());
  const [typed, setTyped] = useState(location.search);

  // The box follows the address when it changes from elsewhere (Back, Forward, a link); when the
  // address follows the box, 300 ms after the typing, the box is left as typed (spaces and all).
  const [addressSearch, setAddressSearch] = useState(location.search);
  if (location.search !== addressSearch) {
    setAddressSearch(location.search);
    if (typed.trim() !== location.search) setTyped(location.search);
  }

  const settled = useDebouncedValue(typed.trim(), 300);
  /** The last search this page wrote, and whether this round of typing has its history entry yet. */
  const written = useRef(location.search);
  const hasEntry = useRef(false);
  useEffect(() => {
    // Only a new settled search writes the address. Comparing with the address on every change
    // instead would undo Back, whose older search arrives before the box's settled value.
    const current = readListLocation(new URLSearchParams(window.location.search));
    if (settled === current.search) return;
    written.current = settled;
    writeListLocation({ search: settled, pages: 1 }, { replace: hasEntry.current });
    hasEntry.current = true;
  }, [settled]);
  useEffect(() => {
    // Moved elsewhere in history: the next search is a new entry, not a rewrite of this one.
    if (location.search !== written.current) hasEntry.current = false;
  }, [location.search]);

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
            value={typed}
            onFocus={() => {
              hasEntry.current = false;
            }}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
        <UserList
          search={location.search}
          pages={location.pages}
          onShowPages={(pages) => writeListLocation({ search: location.search, pages }, { replace: true })}
        />
      </section>
    </>
  );
}
