import Database from "better-sqlite3";
import {
  type CredentialKind,
  type CredentialRow,
  type CredentialSqlRow,
  changeOf,
  credentialSql,
  type ItemJson,
  type ItemRow,
  itemColumns,
  type NewChange,
  type NewItem,
  type NewUser,
  type PageOptions,
  RawCallError,
  type RawStore,
  type UserJson,
  type UserPageJson,
  type UserRow,
  userColumns,
} from "./raw-store.ts";

type ChangeValues = [number, number, number, string, number, number, string, number | null];

/**
 * The SQLite ceiling: better-sqlite3 prepared statements on the file, with the project's pragmas
 * (packages/db/src/dialects/sqlite.ts), so both write the same way. Timestamps are epoch ms, as
 * MikroORM stores them. Statements are synchronous and cost microseconds, so a batch reads its
 * users one by one with the single read's two statements.
 */
export function openSqliteStore(path: string): RawStore {
  const db = new Database(path);
  db.pragma("journal_mode = wal");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  const credentialOf = (table: "sessions" | "api_tokens") =>
    db.prepare<[string], CredentialSqlRow<number>>(credentialSql(table, "?"));
  const credentials = { session: credentialOf("sessions"), token: credentialOf("api_tokens") };
  const userById = db.prepare<[number], UserRow<number>>(`select ${userColumns} from users where id = ?`);
  const itemsOf = db.prepare<[number], ItemRow<number>>(
    `select ${itemColumns} from items where owner_id = ? order by id`,
  );
  const usersAfter = db.prepare<[number, number], UserRow<number>>(
    `select ${userColumns} from users where id > ? order by id limit ?`,
  );
  // A keyset page holds every user whose id lies between its first and last: one range query
  // fetches all their items.
  const itemsOfRange = db.prepare<[number, number], ItemRow<number>>(
    `select ${itemColumns} from items where owner_id between ? and ? order by owner_id, id`,
  );
  const insertUser = db.prepare<[string, string, number, number], { id: number }>(
    "insert into users (name, email, role, password_hash, created_at, updated_at, version) values (?, ?, 'user', null, ?, ?, 1) returning id",
  );
  const insertItem = db.prepare<[string, string | null, number, number, number], { id: number }>(
    "insert into items (title, description, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?) returning id",
  );
  // The project's change statements (changes.ts): the head's row locked until commit (here the
  // file's write lock, taken by `begin immediate`), then one change row.
  const takeIds = db.prepare<[number, number], { last_id: number }>(
    "update change_head set last_id = last_id + ? where id = ? returning last_id",
  );
  const insertChange = db.prepare<ChangeValues>(
    "insert into changes (id, at, actor_id, entity, entity_id, owner_id, op, version, fields) values (?, ?, ?, ?, ?, ?, ?, ?, null)",
  );
  const ping = db.prepare("select 1");

  const recordChange = (change: NewChange, at: number, actorId: number) => {
    const head = takeIds.get(1, 1);
    if (!head) throw new Error("the change head is missing");
    insertChange.run(
      head.last_id,
      at,
      actorId,
      change.entity,
      change.entityId,
      change.ownerId,
      change.op,
      change.version,
    );
  };
  const createUser = db.transaction((user: NewUser, now: number) => {
    const row = insertUser.get(user.name, user.email, now, now);
    if (!row) throw new Error("insert returned no row");
    recordChange(changeOf.user(row.id), now, user.actorId);
    return row.id;
  });
  const createItem = db.transaction((item: NewItem, now: number) => {
    const row = insertItem.get(item.title, item.description, item.userId, now, now);
    if (!row) throw new Error("insert returned no row");
    recordChange(changeOf.item(row.id, item.userId), now, item.actorId);
    return row.id;
  });
  const userWithItems = (id: number): UserJson | undefined => {
    const row = userById.get(id);
    return row && { ...toUser(row), items: itemsOf.all(id).map(toItem) };
  };

  return {
    ping: () => ping.get(),
    credential(kind: CredentialKind, hash: string): CredentialRow | undefined {
      const row = credentials[kind].get(hash);
      return row && { userId: row.user_id, role: row.role, expiresAtMs: row.expires_at };
    },
    userWithItems,
    usersWithItems(ids) {
      const found = new Map<number, UserJson>();
      for (const id of ids) {
        const user = found.get(id) ?? userWithItems(id);
        if (user) found.set(id, user);
      }
      return found;
    },
    listUsers(options: PageOptions): UserPageJson {
      const rows = usersAfter.all(options.cursor, options.limit + 1);
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      const first = page[0];
      const users = page.map(toUser);
      if (options.withItems && first && last) {
        const byOwner = new Map<number, ItemJson[]>();
        for (const user of users) {
          user.items = [];
          byOwner.set(user.id, user.items);
        }
        for (const item of itemsOfRange.all(first.id, last.id)) {
          byOwner.get(item.owner_id)?.push(toItem(item));
        }
      }
      return { items: users, nextCursor: rows.length > options.limit && last ? last.id : null };
    },
    createUser(user: NewUser): UserJson {
      const now = Date.now();
      try {
        const id = createUser.immediate(user, now);
        const at = new Date(now).toISOString();
        const { name, email } = user;
        return { id, name, email, role: "user", createdAt: at, updatedAt: at, version: 1, items: [] };
      } catch (error) {
        if (isSqliteError(error, "SQLITE_CONSTRAINT_UNIQUE"))
          throw new RawCallError("CONFLICT", "email taken");
        throw error;
      }
    },
    createItem(item: NewItem): ItemJson {
      const now = Date.now();
      try {
        const id = createItem.immediate(item, now);
        const at = new Date(now).toISOString();
        const { title, description, userId: ownerId } = item;
        return { id, title, description, ownerId, createdAt: at, updatedAt: at };
      } catch (error) {
        if (isSqliteError(error, "SQLITE_CONSTRAINT_FOREIGNKEY"))
          throw new RawCallError("NOT_FOUND", "no user");
        throw error;
      }
    },
    close: () => {
      db.close();
    },
  };
}

function toUser(row: UserRow<number>): UserJson {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}

function toItem(row: ItemRow<number>): ItemJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function isSqliteError(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
