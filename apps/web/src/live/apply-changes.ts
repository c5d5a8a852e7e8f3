import type { RouterOutputs } from "@app/client";
import type { InfiniteData, QueryKey } from "@tanstack/react-query";
import { type SignedInUser, sessionKey } from "../auth/session.ts";
import { getErrorCode } from "../lib/api-errors.ts";
import type { Item, UserWithItems } from "../user/types.ts";
import { addToHistory, historyFilter, historyKey } from "./history-cache.ts";
import type { Change, LiveDeps } from "./types.ts";

type UserPage = RouterOutputs["users"]["list"];
/** What a user's entry in a list, their page and the session have in common. */
type UserFields = Pick<UserWithItems, "name" | "email" | "role" | "version" | "updatedAt">;

/** Past this many new items in one batch, the pages they may belong to are refetched instead. */
const maxItemLookups = 50;

/**
 * Brings the cache up to date with changes made anywhere, touching only what they concern: a
 * user's page (`users.byId`), their entry in the loaded users lists, the session when it is the
 * signed-in user, and histories. Patched in place where the change says enough (an update's
 * fields, a deletion); refetched (one query) where it does not.
 */
export async function applyChanges(deps: LiveDeps, changes: readonly Change[]): Promise<void> {
  const me = deps.queryClient.getQueryData<SignedInUser | null>(sessionKey);
  if (!me) return;
  const created = await lookUpCreatedItems(deps, changes);
  for (const change of changes) {
    if (change.entity === "user") applyUserChange(deps, me, change);
    else applyItemChange(deps, me, change, created);
  }
}

// Items ----------------------------------------------------------------------------------------

/** A created item as it is now; null if it is gone already (its deletion follows). */
type CreatedItems = Map<number, Item | null>;

function hasCachedPages(deps: LiveDeps): boolean {
  const cache = deps.queryClient.getQueryCache();
  return (
    cache.findAll(deps.trpc.users.byId.pathFilter()).length > 0 || cache.findAll(historyFilter).length > 0
  );
}

/**
 * A creation says neither whose item it is nor what it holds: each new item is looked up
 * (`items.byId`, batched), if any user's page is cached at all. Too many at once, or a look-up
 * that fails, leaves it out: the pages it may belong to are refetched instead.
 */
async function lookUpCreatedItems(deps: LiveDeps, changes: readonly Change[]): Promise<CreatedItems> {
  const ids = changes.filter((c) => c.entity === "item" && c.op === "create").map((c) => c.entityId);
  const found: CreatedItems = new Map();
  if (ids.length === 0 || ids.length > maxItemLookups || !hasCachedPages(deps)) return found;
  await Promise.all(
    ids.map(async (id) => {
      try {
        found.set(id, await deps.client.items.byId.query({ id }));
      } catch (error) {
        if (getErrorCode(error) === "NOT_FOUND") found.set(id, null);
      }
    }),
  );
  return found;
}

function applyItemChange(deps: LiveDeps, me: SignedInUser, change: Change, created: CreatedItems) {
  const { queryClient } = deps;
  if (change.op === "create") {
    const item = created.get(change.entityId);
    if (item === undefined) return refetchPages(deps, me);
    if (item === null) return;
    addToHistory(queryClient, item.ownerId, change, item.title);
    return updateUserPage(deps, item.ownerId, (user) =>
      user.items?.some((known) => known.id === item.id)
        ? user
        : { ...user, items: [...(user.items ?? []), item].sort((a, b) => a.id - b.id) },
    );
  }
  // A user sees changes to their own items only; an admin's are found on the page that shows them.
  const ownerId = me.role === "admin" ? ownerOnCachedPage(deps, change.entityId) : me.id;
  if (ownerId === undefined) return;
  // Its title while the page still has it: the history names the item even once it is deleted.
  const title = itemOnPage(deps, ownerId, change.entityId)?.title;
  addToHistory(queryClient, ownerId, change, title);
  updateUserPage(deps, ownerId, (user) => {
    if (!user.items?.some((item) => item.id === change.entityId)) return user;
    const items =
      change.op === "delete"
        ? user.items.filter((item) => item.id !== change.entityId)
        : user.items.map((item) => (item.id === change.entityId ? patchItem(item, change) : item));
    return { ...user, items };
  });
}

function patchItem(item: Item, change: Change): Item {
  const patched = { ...item, updatedAt: change.at };
  const title = change.fields?.title?.[1];
  const description = change.fields?.description?.[1];
  if (typeof title === "string") patched.title = title;
  if (typeof description === "string" || description === null) patched.description = description;
  return patched;
}

function itemOnPage(deps: LiveDeps, userId: number, itemId: number): Item | undefined {
  const user = deps.queryClient.getQueryData(deps.trpc.users.byId.queryKey({ id: userId }));
  return user?.items?.find((item) => item.id === itemId);
}

/** Whose page in the cache holds this item. */
function ownerOnCachedPage(deps: LiveDeps, itemId: number): number | undefined {
  for (const [, user] of deps.queryClient.getQueriesData<UserWithItems>(deps.trpc.users.byId.pathFilter())) {
    if (user?.items?.some((item) => item.id === itemId)) return user.id;
  }
  return undefined;
}

function updateUserPage(deps: LiveDeps, userId: number, update: (user: UserWithItems) => UserWithItems) {
  deps.queryClient.setQueryData(deps.trpc.users.byId.queryKey({ id: userId }), (user) =>
    user ? update(user) : user,
  );
}

/** New items whose owner is unknown: refetch the pages (and histories) they may be on. */
function refetchPages(deps: LiveDeps, me: SignedInUser) {
  const { queryClient, trpc } = deps;
  if (me.role === "admin") {
    void queryClient.invalidateQueries(trpc.users.byId.pathFilter());
    void queryClient.invalidateQueries(historyFilter);
  } else {
    void queryClient.invalidateQueries(trpc.users.byId.queryFilter({ id: me.id }));
    void queryClient.invalidateQueries({ queryKey: historyKey(me.id) });
  }
}

// Users ----------------------------------------------------------------------------------------

function applyUserChange(deps: LiveDeps, me: SignedInUser, change: Change) {
  const { queryClient, trpc } = deps;
  const id = change.entityId;
  addToHistory(queryClient, id, change);
  const pageKey = trpc.users.byId.queryKey({ id });
  if (change.op === "delete") {
    // A page on screen refetches and says the user is gone; one that is not is forgotten.
    const page = queryClient.getQueryCache().find({ queryKey: pageKey, exact: true });
    if (page && page.getObserversCount() > 0)
      void queryClient.invalidateQueries({ queryKey: pageKey, exact: true });
    else queryClient.removeQueries({ queryKey: pageKey, exact: true });
  } else if (change.op === "update") {
    patchUser(deps, pageKey, change);
    if (id === me.id) patchUser(deps, sessionKey, change);
  }
  updateUserLists(deps, change);
}

/**
 * Applies an update to a cached user when it is the next version of what is cached; refetches
 * when versions were missed; leaves it when the cache has it already (our own save, say).
 */
function patchUser(deps: LiveDeps, key: QueryKey, change: Change) {
  const { queryClient } = deps;
  const cached = queryClient.getQueryData<UserFields>(key);
  if (!cached) return;
  const version = change.version;
  if (version !== undefined && cached.version >= version) return;
  if (version === undefined || cached.version !== version - 1) {
    void queryClient.invalidateQueries({ queryKey: key, exact: true });
    return;
  }
  queryClient.setQueryData<UserFields>(key, (user) => user && { ...user, ...userFields(change, version) });
}

function userFields(change: Change, version: number): Partial<UserFields> {
  const fields: Partial<UserFields> = { version, updatedAt: change.at };
  const name = change.fields?.name?.[1];
  const email = change.fields?.email?.[1];
  const role = change.fields?.role?.[1];
  if (typeof name === "string") fields.name = name;
  if (typeof email === "string") fields.email = email;
  if (role === "user" || role === "admin") fields.role = role;
  return fields;
}

/** The `search` a users list was loaded with ("" for none), from its query key. */
function searchOf(key: QueryKey): string {
  const options: unknown = key[1];
  if (typeof options !== "object" || options === null || !("input" in options)) return "";
  const input: unknown = options.input;
  if (typeof input !== "object" || input === null || !("search" in input)) return "";
  return typeof input.search === "string" ? input.search : "";
}

/**
 * The users lists (pages by id): a deleted user's row goes; an updated one is patched in place,
 * or, in a search, refetched if it was loaded or may now match; a new user, who comes last, is
 * fetched only by a list that has loaded its last page. Pages not loaded yet will fetch fresh.
 */
function updateUserLists(deps: LiveDeps, change: Change) {
  const { queryClient, trpc } = deps;
  const id = change.entityId;
  for (const [key, data] of queryClient.getQueriesData<InfiniteData<UserPage>>(
    trpc.users.list.infiniteQueryFilter(),
  )) {
    if (!data) continue;
    const loaded = data.pages.flatMap((page) => page.items);
    const listed = loaded.find((user) => user.id === id);
    const complete = data.pages.at(-1)?.nextCursor === null;
    const lastLoadedId = loaded.at(-1)?.id ?? 0;
    const search = searchOf(key);
    const refetch = () => void queryClient.invalidateQueries({ queryKey: key, exact: true });

    if (change.op === "delete") {
      if (!listed) continue;
      queryClient.setQueryData<InfiniteData<UserPage>>(
        key,
        (old) =>
          old && {
            ...old,
            pages: old.pages.map((page) => ({ ...page, items: page.items.filter((u) => u.id !== id) })),
          },
      );
    } else if (change.op === "create") {
      if (complete && !listed) refetch();
    } else if (search !== "") {
      // Whether it matches the search now is the server's call.
      if (listed || complete || id < lastLoadedId) refetch();
    } else if (listed) {
      const version = change.version;
      if (version !== undefined && listed.version >= version) continue;
      if (version === undefined || listed.version !== version - 1) {
        refetch();
        continue;
      }
      queryClient.setQueryData<InfiniteData<UserPage>>(
        key,
        (old) =>
          old && {
            ...old,
            pages: old.pages.map((page) => ({
              ...page,
              items: page.items.map((u) => (u.id === id ? { ...u, ...userFields(change, version) } : u)),
            })),
          },
      );
    }
  }
}
