import type { RouterOutputs } from "@app/client";
import type { InfiniteData, Query, QueryKey } from "@tanstack/react-query";
import { type SignedInUser, sessionKey } from "../auth/session.ts";
import { getErrorCode } from "../lib/api-errors.ts";
import type { Item, UserWithItems } from "../user/types.ts";
import { addToHistory, historyKey } from "./history-cache.ts";
import type { Change, LiveDeps } from "./types.ts";

type UserPage = RouterOutputs["users"]["list"];
/** What a user's entry in a list, their page and the session have in common. */
type UserFields = Pick<UserWithItems, "name" | "email" | "role" | "version" | "updatedAt">;

/** Past this many new items in one batch, their owners' pages are refetched instead. */
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
  // Owners whose new items could not be looked up: their page and history are refetched, once.
  const stale = new Set<number>();
  for (const change of changes) {
    if (change.entity === "user") applyUserChange(deps, me, change);
    else applyItemChange(deps, change, created, stale);
  }
  for (const ownerId of stale) refetchOwner(deps, ownerId);
}

/**
 * The cached queries these changes concern, loaded or loading: each owner's page and history, and
 * for a change to a user the users lists. (The session is the session's own business.) What a
 * read of one of them answers may predate the changes.
 */
export function concernedQueries(deps: LiveDeps, changes: readonly Change[]): Query[] {
  const cache = deps.queryClient.getQueryCache();
  const concerned = new Set<Query>();
  const add = (query: Query | undefined) => query && concerned.add(query);
  for (const change of changes) {
    const ownerId = change.entity === "user" ? change.entityId : change.ownerId;
    add(cache.find({ queryKey: deps.trpc.users.byId.queryKey({ id: ownerId }), exact: true }));
    add(cache.find({ queryKey: historyKey(ownerId), exact: true }));
    if (change.entity === "user") {
      for (const list of cache.findAll(deps.trpc.users.list.infiniteQueryFilter())) add(list);
    }
  }
  return [...concerned];
}

// Items ----------------------------------------------------------------------------------------

/** A created item as it is now; null if it is gone already (its deletion follows). */
type CreatedItems = Map<number, Item | null>;

/** Whether the cache holds this account's page or history, loaded or loading. */
function showsOwner(deps: LiveDeps, ownerId: number): boolean {
  const cache = deps.queryClient.getQueryCache();
  return (
    cache.find({ queryKey: deps.trpc.users.byId.queryKey({ id: ownerId }), exact: true }) !== undefined ||
    cache.find({ queryKey: historyKey(ownerId), exact: true }) !== undefined
  );
}

/**
 * A creation says whose item it is but not what it holds: each new item whose owner's page or
 * history is cached is looked up (`items.byId`, batched). Too many at once, or a look-up that
 * fails, leaves it out: its owner's page is refetched instead.
 */
async function lookUpCreatedItems(deps: LiveDeps, changes: readonly Change[]): Promise<CreatedItems> {
  const ids = changes
    .filter((c) => c.entity === "item" && c.op === "create" && showsOwner(deps, c.ownerId))
    .map((c) => c.entityId);
  const found: CreatedItems = new Map();
  if (ids.length === 0 || ids.length > maxItemLookups) return found;
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

function applyItemChange(deps: LiveDeps, change: Change, created: CreatedItems, stale: Set<number>) {
  const { queryClient } = deps;
  const ownerId = change.ownerId;
  if (change.op === "create") {
    const item = created.get(change.entityId);
    if (item === undefined) {
      if (showsOwner(deps, ownerId)) stale.add(ownerId);
      return;
    }
    if (item === null) return addToHistory(queryClient, ownerId, change);
    addToHistory(queryClient, ownerId, change, item.title);
    return updateUserPage(deps, ownerId, (user) =>
      user.items?.some((known) => known.id === item.id)
        ? user
        : { ...user, items: [...(user.items ?? []), item].sort((a, b) => a.id - b.id) },
    );
  }
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

function updateUserPage(deps: LiveDeps, userId: number, update: (user: UserWithItems) => UserWithItems) {
  deps.queryClient.setQueryData(deps.trpc.users.byId.queryKey({ id: userId }), (user) =>
    user ? update(user) : user,
  );
}

/** New items that could not be looked up: refetch their owner's page and history. */
function refetchOwner(deps: LiveDeps, ownerId: number) {
  void deps.queryClient.invalidateQueries(deps.trpc.users.byId.queryFilter({ id: ownerId }));
  void deps.queryClient.invalidateQueries({ queryKey: historyKey(ownerId) });
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
