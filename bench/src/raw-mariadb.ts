import { loadMysql, type MysqlPoolConnection, type MysqlResultHeader } from "./drivers.ts";
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

const sql = {
  credential: { session: credentialSql("sessions", "?"), token: credentialSql("api_tokens", "?") },
  userById: `select ${userColumns} from users where id = ?`,
  itemsOf: `select ${itemColumns} from items where owner_id = ? order by id`,
  usersAfter: `select ${userColumns} from users where id > ? order by id limit ?`,
  // A keyset page holds every user whose id lies between its first and last: one range query
  // fetches all their items.
  itemsOfRange: `select ${itemColumns} from items where owner_id between ? and ? order by owner_id, id`,
  insertUser:
    "insert into users (name, email, role, password_hash, created_at, updated_at, version) values (?, ?, 'user', null, ?, ?, 1)",
  insertItem:
    "insert into items (title, description, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?)",
  // The project's (changes.ts): MariaDB has no UPDATE … RETURNING, so the head's row, locked by
  // the update until commit, is read back by a select in the same transaction.
  takeIds: "update change_head set last_id = last_id + ? where id = ?",
  selectHead: "select last_id from change_head where id = ?",
  insertChange:
    "insert into changes (id, at, actor_id, entity, entity_id, owner_id, op, version, fields) values (?, ?, ?, ?, ?, ?, ?, ?, null)",
  ping: "select 1",
};

/** `… where id in (?, ?, …)`: one prepared statement per count of ids, each cached by the pool's connections. */
const inList = (count: number) => Array.from({ length: count }, () => "?").join(", ");

/**
 * The MariaDB ceiling: a `mysql2` pool of `poolMax` connections and prepared statements
 * (`execute`: the binary protocol, each statement prepared once per connection). DATETIME comes
 * as text (stored in UTC, as the project stores it) and is reformatted without a Date. A batch
 * reads its users in two queries (`in (…)`), as the project coalesces a batch's reads.
 */
export function openMariaDbStore(url: string, poolMax: number): RawStore {
  const pool = loadMysql().createPool({ uri: url, connectionLimit: poolMax, dateStrings: true });
  const rows = async <Row>(query: string, values: unknown[]) => (await pool.execute<Row[]>(query, values))[0];

  const inTransaction = async <T>(work: (connection: MysqlPoolConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  };
  const recordChange = async (
    connection: MysqlPoolConnection,
    change: NewChange,
    at: string,
    actorId: number,
  ) => {
    await connection.execute(sql.takeIds, [1, 1]);
    const [[head]] = await connection.execute<{ last_id: number }[]>(sql.selectHead, [1]);
    if (!head) throw new Error("the change head is missing");
    const { entity, entityId, ownerId, op, version } = change;
    await connection.execute(sql.insertChange, [
      head.last_id,
      at,
      actorId,
      entity,
      entityId,
      ownerId,
      op,
      version,
    ]);
  };

  return {
    ping: () => rows(sql.ping, []),
    async credential(kind: CredentialKind, hash: string): Promise<CredentialRow | undefined> {
      const [row] = await rows<CredentialSqlRow>(sql.credential[kind], [hash]);
      return (
        row && {
          userId: row.user_id,
          role: row.role,
          expiresAtMs: row.expires_at === null ? null : Date.parse(isoFromText(row.expires_at)),
        }
      );
    },
    async userWithItems(id: number): Promise<UserJson | undefined> {
      const [row] = await rows<UserRow>(sql.userById, [id]);
      if (!row) return undefined;
      const items = await rows<ItemRow>(sql.itemsOf, [id]);
      return { ...userFromText(row), items: items.map(itemFromText) };
    },
    async usersWithItems(ids: readonly number[]): Promise<Map<number, UserJson>> {
      const users = new Map<number, UserJson>();
      const distinct = [...new Set(ids)];
      if (distinct.length === 0) return users;
      const found = await rows<UserRow>(
        `select ${userColumns} from users where id in (${inList(distinct.length)})`,
        distinct,
      );
      if (found.length === 0) return users;
      const byOwner = new Map<number, ItemJson[]>();
      for (const row of found) {
        const user = { ...userFromText(row), items: [] as ItemJson[] };
        users.set(row.id, user);
        byOwner.set(row.id, user.items);
      }
      const owners = [...users.keys()];
      const items = await rows<ItemRow>(
        `select ${itemColumns} from items where owner_id in (${inList(owners.length)}) order by owner_id, id`,
        owners,
      );
      for (const item of items) byOwner.get(item.owner_id)?.push(itemFromText(item));
      return users;
    },
    async listUsers(options: PageOptions): Promise<UserPageJson> {
      const found = await rows<UserRow>(sql.usersAfter, [options.cursor, options.limit + 1]);
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
        for (const item of await rows<ItemRow>(sql.itemsOfRange, [first.id, last.id])) {
          byOwner.get(item.owner_id)?.push(itemFromText(item));
        }
      }
      return { items: users, nextCursor: found.length > options.limit && last ? last.id : null };
    },
    async createUser(user: NewUser): Promise<UserJson> {
      const at = new Date().toISOString();
      const stored = datetimeOf(at);
      try {
        const id = await inTransaction(async (connection) => {
          const [header] = await connection.execute<MysqlResultHeader>(sql.insertUser, [
            user.name,
            user.email,
            stored,
            stored,
          ]);
          await recordChange(connection, changeOf.user(header.insertId), stored, user.actorId);
          return header.insertId;
        });
        const { name, email } = user;
        return { id, name, email, role: "user", createdAt: at, updatedAt: at, version: 1, items: [] };
      } catch (error) {
        if (driverErrorCode(error) === "ER_DUP_ENTRY") throw new RawCallError("CONFLICT", "email taken");
        throw error;
      }
    },
    async createItem(item: NewItem): Promise<ItemJson> {
      const at = new Date().toISOString();
      const stored = datetimeOf(at);
      try {
        const id = await inTransaction(async (connection) => {
          const values = [item.title, item.description, item.userId, stored, stored];
          const [header] = await connection.execute<MysqlResultHeader>(sql.insertItem, values);
          await recordChange(connection, changeOf.item(header.insertId, item.userId), stored, item.actorId);
          return header.insertId;
        });
        const { title, description, userId: ownerId } = item;
        return { id, title, description, ownerId, createdAt: at, updatedAt: at };
      } catch (error) {
        if (driverErrorCode(error) === "ER_NO_REFERENCED_ROW_2")
          throw new RawCallError("NOT_FOUND", "no user");
        throw error;
      }
    },
    close: () => pool.end(),
  };
}

/** An ISO timestamp as a UTC DATETIME(3) literal: `2026-01-01 00:00:00.000`. */
function datetimeOf(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
