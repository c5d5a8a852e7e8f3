import { loadPg, type PgPoolClient, type PgQuery } from "./drivers.ts";
import {
  type CredentialKind,
  type CredentialRow,
  type CredentialSqlRow,
  changeOf,
  credentialSql,
  driverErrorCode,
  type ItemJson,
  type ItemRow,
  isoFromText,
  itemColumns,
  itemFromText,
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
  userFromText,
} from "./raw-store.ts";

const timestamptzOid = 1184;

/** Named statements: each connection parses and plans one once, then only binds and executes it. */
const statement = (name: string, text: string): PgQuery => ({ name: `raw-${name}`, text });
const credentialOf = (table: "sessions" | "api_tokens") =>
  statement(`credential-${table}`, credentialSql(table, "$1"));
const statements = {
  credential: { session: credentialOf("sessions"), token: credentialOf("api_tokens") },
  userById: statement("user-by-id", `select ${userColumns} from users where id = $1`),
  itemsOf: statement("items-of", `select ${itemColumns} from items where owner_id = $1 order by id`),
  usersByIds: statement("users-by-ids", `select ${userColumns} from users where id = any($1::int[])`),
  itemsOfUsers: statement(
    "items-of-users",
    `select ${itemColumns} from items where owner_id = any($1::int[]) order by owner_id, id`,
  ),
  usersAfter: statement("users-after", `select ${userColumns} from users where id > $1 order by id limit $2`),
  // A keyset page holds every user whose id lies between its first and last: one range query
  // fetches all their items.
  itemsOfRange: statement(
    "items-of-range",
    `select ${itemColumns} from items where owner_id between $1 and $2 order by owner_id, id`,
  ),
  insertUser: statement(
    "insert-user",
    "insert into users (name, email, role, password_hash, created_at, updated_at, version) values ($1, $2, 'user', null, $3, $3, 1) returning id",
  ),
  insertItem: statement(
    "insert-item",
    "insert into items (title, description, owner_id, created_at, updated_at) values ($1, $2, $3, $4, $4) returning id",
  ),
  // The project's (changes.ts): the head's row stays locked until commit, so ids are taken in
  // commit order, and the same statement NOTIFYs the servers' change feeds.
  takeIds: statement(
    "take-ids",
    "update change_head set last_id = last_id + $1 where id = $2 returning last_id, pg_notify('changes', '') as notified",
  ),
  insertChange: statement(
    "insert-change",
    "insert into changes (id, at, actor_id, entity, entity_id, owner_id, op, version, fields) values ($1, $2, $3, $4, $5, $6, $7, $8, null)",
  ),
  ping: statement("ping", "select 1"),
};

/**
 * The PostgreSQL ceiling: a `pg` pool of `poolMax` connections and named prepared statements.
 * Timestamps come as text (the session in UTC) and are reformatted without a Date. A batch reads
 * its users in two queries (`= any($1)`), as the project coalesces a batch's reads (decision 007).
 */
export function openPostgresStore(url: string, poolMax: number): RawStore {
  const { Pool, types } = loadPg();
  const pool = new Pool({
    connectionString: url,
    max: poolMax,
    options: "-c TimeZone=UTC",
    application_name: "bench-raw-ceiling",
    types: {
      getTypeParser: (oid, format) =>
        oid === timestamptzOid ? (text) => text : types.getTypeParser(oid, format),
    },
  });
  const rows = async <Row>(query: PgQuery, values: unknown[]) =>
    (await pool.query<Row>({ ...query, values })).rows;

  const inTransaction = async <T>(work: (client: PgPoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const result = await work(client);
      await client.query("commit");
      client.release();
      return result;
    } catch (error) {
      // A connection whose rollback fails is dropped, not handed to the next request.
      await client.query("rollback").then(
        () => client.release(),
        (rollbackError: unknown) =>
          client.release(rollbackError instanceof Error ? rollbackError : undefined),
      );
      throw error;
    }
  };
  const recordChange = async (client: PgPoolClient, change: NewChange, at: string, actorId: number) => {
    const [head] = (await client.query<{ last_id: number }>({ ...statements.takeIds, values: [1, 1] })).rows;
    if (!head) throw new Error("the change head is missing");
    const { entity, entityId, ownerId, op, version } = change;
    await client.query({
      ...statements.insertChange,
      values: [head.last_id, at, actorId, entity, entityId, ownerId, op, version],
    });
  };

  return {
    ping: () => rows(statements.ping, []),
    async credential(kind: CredentialKind, hash: string): Promise<CredentialRow | undefined> {
      const [row] = await rows<CredentialSqlRow>(statements.credential[kind], [hash]);
      return (
        row && {
          userId: row.user_id,
          role: row.role,
          expiresAtMs: row.expires_at === null ? null : Date.parse(isoFromText(row.expires_at)),
        }
      );
    },
    async userWithItems(id: number): Promise<UserJson | undefined> {
      const [row] = await rows<UserRow>(statements.userById, [id]);
      if (!row) return undefined;
      const items = await rows<ItemRow>(statements.itemsOf, [id]);
      return { ...userFromText(row), items: items.map(itemFromText) };
    },
    async usersWithItems(ids: readonly number[]): Promise<Map<number, UserJson>> {
      const users = new Map<number, UserJson>();
      const found = await rows<UserRow>(statements.usersByIds, [[...new Set(ids)]]);
      if (found.length === 0) return users;
      const byOwner = new Map<number, ItemJson[]>();
      for (const row of found) {
        const user = { ...userFromText(row), items: [] as ItemJson[] };
        users.set(row.id, user);
        byOwner.set(row.id, user.items);
      }
      for (const item of await rows<ItemRow>(statements.itemsOfUsers, [[...users.keys()]])) {
        byOwner.get(item.owner_id)?.push(itemFromText(item));
      }
      return users;
    },
    async listUsers(options: PageOptions): Promise<UserPageJson> {
      const found = await rows<UserRow>(statements.usersAfter, [options.cursor, options.limit + 1]);
      const page = found.slice(0, options.limit);
      const first = page[0];
      const last = page.at(-1);
      const users = page.map(userFromText);
      if (options.withItems && first && last) {
        const byOwner = new Map<number, ItemJson[]>();
        for (const user of users) {
          user.items = [];
          byOwner.set(user.id, user.items);
        }
        for (const item of await rows<ItemRow>(statements.itemsOfRange, [first.id, last.id])) {
          byOwner.get(item.owner_id)?.push(itemFromText(item));
        }
      }
      return { items: users, nextCursor: found.length > options.limit && last ? last.id : null };
    },
    async createUser(user: NewUser): Promise<UserJson> {
      const at = new Date().toISOString();
      try {
        const id = await inTransaction(async (client) => {
          const [row] = (
            await client.query<{ id: number }>({
              ...statements.insertUser,
              values: [user.name, user.email, at],
            })
          ).rows;
          if (!row) throw new Error("insert returned no row");
          await recordChange(client, changeOf.user(row.id), at, user.actorId);
          return row.id;
        });
        const { name, email } = user;
        return { id, name, email, role: "user", createdAt: at, updatedAt: at, version: 1, items: [] };
      } catch (error) {
        if (driverErrorCode(error) === "23505") throw new RawCallError("CONFLICT", "email taken");
        throw error;
      }
    },
    async createItem(item: NewItem): Promise<ItemJson> {
      const at = new Date().toISOString();
      try {
        const id = await inTransaction(async (client) => {
          const values = [item.title, item.description, item.userId, at];
          const [row] = (await client.query<{ id: number }>({ ...statements.insertItem, values })).rows;
          if (!row) throw new Error("insert returned no row");
          await recordChange(client, changeOf.item(row.id, item.userId), at, item.actorId);
          return row.id;
        });
        const { title, description, userId: ownerId } = item;
        return { id, title, description, ownerId, createdAt: at, updatedAt: at };
      } catch (error) {
        if (driverErrorCode(error) === "23503") throw new RawCallError("NOT_FOUND", "no user");
        throw error;
      }
    },
    close: () => pool.end(),
  };
}
