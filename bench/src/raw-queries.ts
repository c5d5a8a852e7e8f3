import type Database from "better-sqlite3";

type UserRow = {
  id: number;
  name: string;
  email: string;
  role: "user" | "admin";
  created_at: number;
  updated_at: number;
  version: number;
};
type ItemRow = {
  id: number;
  title: string;
  description: string | null;
  owner_id: number;
  created_at: number;
  updated_at: number;
};

export type ItemJson = {
  id: number;
  title: string;
  description: string | null;
  ownerId: number;
  createdAt: string;
  updatedAt: string;
};
export type UserJson = {
  id: number;
  name: string;
  email: string;
  role: "user" | "admin";
  createdAt: string;
  updatedAt: string;
  version: number;
  items?: ItemJson[];
};
export type UserPageJson = { items: UserJson[]; nextCursor: number | null };

/** The raw ceiling's data access: prepared statements, rows mapped to the API's JSON shapes by hand. */
export type RawQueries = ReturnType<typeof prepareQueries>;

export function prepareQueries(db: Database.Database) {
  const userById = db.prepare<[number], UserRow>("select * from users where id = ?");
  const itemsOf = db.prepare<[number], ItemRow>("select * from items where owner_id = ? order by id");
  const usersAfter = db.prepare<[number, number], UserRow>(
    "select * from users where id > ? order by id limit ?",
  );
  // A keyset page holds every user whose id lies between its first and last: one range query
  // fetches all their items.
  const itemsOfRange = db.prepare<[number, number], ItemRow>(
    "select * from items where owner_id between ? and ? order by owner_id, id",
  );
  const insertUser = db.prepare<[string, string, number, number], UserRow>(
    "insert into users (name, email, created_at, updated_at, version) values (?, ?, ?, ?, 1) returning *",
  );
  const insertItem = db.prepare<[string, string | null, number, number, number], ItemRow>(
    "insert into items (title, description, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?) returning *",
  );
  const ping = db.prepare("select 1");

  return {
    ping: () => ping.get(),
    userWithItems(id: number): UserJson | undefined {
      const row = userById.get(id);
      return row && { ...toUser(row), items: itemsOf.all(id).map(toItem) };
    },
    listUsers(options: { cursor: number; limit: number; withItems: boolean }): UserPageJson {
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
    createUser(name: string, email: string): UserJson {
      const now = Date.now();
      const row = insertUser.get(name.trim(), email.trim().toLowerCase(), now, now);
      if (!row) throw new Error("insert returned no row");
      return { ...toUser(row), items: [] };
    },
    createItem(input: { userId: number; title: string; description: string | null }): ItemJson {
      const now = Date.now();
      const row = insertItem.get(input.title.trim(), input.description, input.userId, now, now);
      if (!row) throw new Error("insert returned no row");
      return toItem(row);
    },
  };
}

function toUser(row: UserRow): UserJson {
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

function toItem(row: ItemRow): ItemJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
