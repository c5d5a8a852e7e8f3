import Database from "better-sqlite3";
import type { DatabaseKind } from "./args.ts";
import { runSql } from "./scratch-database.ts";

export type SeedOptions = { users: number; itemsPerUser: number };

/** A fixed instant, so every run seeds the same rows: user n and its items were made at this + n ms. */
const seededAt = Date.UTC(2026, 0, 1);

/**
 * Fills a migrated database with `users` users of `itemsPerUser` items each, the same rows on
 * every database: user n is "User n" <usern@example.com>, its items have ids from (n − 1) × k + 1,
 * and every other item has a description, so both shapes of `description` travel. Straight into
 * the tables, never through the API: a million users take seconds, where the API would take minutes.
 */
export async function seedDatabase(kind: DatabaseKind, url: string, options: SeedOptions): Promise<void> {
  if (kind === "sqlite") seedSqlite(url.replace(/^sqlite:/, ""), options);
  else if (kind === "postgres") await runSql(kind, url, postgresSeed(options));
  else await runSql(kind, url, mariadbSeed(options));
}

/** Raw prepared statements in one transaction. Timestamps are epoch ms, as MikroORM stores them. */
function seedSqlite(path: string, options: SeedOptions): void {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = wal");
    db.pragma("synchronous = off");
    const insertUser = db.prepare(
      "insert into users (id, name, email, created_at, updated_at, version) values (?, ?, ?, ?, ?, 1)",
    );
    const insertItem = db.prepare(
      "insert into items (title, description, owner_id, created_at, updated_at) values (?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let id = 1; id <= options.users; id++) {
        const at = seededAt + id;
        insertUser.run(id, `User ${id}`, `user${id}@example.com`, at, at);
        for (let n = 1; n <= options.itemsPerUser; n++) {
          const description = n % 2 === 0 ? `Item ${n} of user ${id}, seeded for the benchmark` : null;
          insertItem.run(`Item ${n}`, description, id, at, at);
        }
      }
    })();
    // Fold the WAL into the main file, so copies of the file alone hold every row.
    db.pragma("wal_checkpoint(truncate)");
  } finally {
    db.close();
  }
}

/** One INSERT … SELECT per table over generate_series, the sequences moved past the ids written. */
function postgresSeed({ users, itemsPerUser: k }: SeedOptions): string[] {
  const at = (n: string) => `timestamptz '2026-01-01 00:00:00+00' + ${n} * interval '1 millisecond'`;
  const statements = [
    `insert into users (id, name, email, created_at, updated_at, version)
     select u, 'User ' || u, 'user' || u || '@example.com', ${at("u")}, ${at("u")}, 1
     from generate_series(1, ${users}) as u`,
    `select setval(pg_get_serial_sequence('users', 'id'), ${users})`,
  ];
  if (k > 0) {
    statements.push(
      `insert into items (id, title, description, owner_id, created_at, updated_at)
       select (u - 1) * ${k} + n, 'Item ' || n,
         case when n % 2 = 0 then 'Item ' || n || ' of user ' || u || ', seeded for the benchmark' end,
         u, ${at("u")}, ${at("u")}
       from generate_series(1, ${users}) as u cross join generate_series(1, ${k}) as n
       order by 1`,
      `select setval(pg_get_serial_sequence('items', 'id'), ${users * k})`,
    );
  }
  // Fresh statistics and visibility map, as a database in use would have.
  statements.push("vacuum analyze users", "vacuum analyze items");
  return statements;
}

/**
 * One INSERT … SELECT per table over MariaDB's sequence tables (`seq_1_to_N`), with the unique and
 * foreign-key checks off for this session (the rows are generated valid). DATETIME in UTC, as the
 * project stores it.
 */
function mariadbSeed({ users, itemsPerUser: k }: SeedOptions): string[] {
  const at = (n: string) => `timestamp '2026-01-01 00:00:00' + interval (${n} * 1000) microsecond`;
  const statements = [
    "set session unique_checks = 0, foreign_key_checks = 0",
    `insert into users (id, name, email, created_at, updated_at, version)
     select seq, concat('User ', seq), concat('user', seq, '@example.com'), ${at("seq")}, ${at("seq")}, 1
     from seq_1_to_${users}`,
  ];
  if (k > 0) {
    statements.push(
      `insert into items (id, title, description, owner_id, created_at, updated_at)
       select (u.seq - 1) * ${k} + n.seq, concat('Item ', n.seq),
         if(n.seq % 2 = 0, concat('Item ', n.seq, ' of user ', u.seq, ', seeded for the benchmark'), null),
         u.seq, ${at("u.seq")}, ${at("u.seq")}
       from seq_1_to_${users} as u cross join seq_1_to_${k} as n
       order by u.seq, n.seq`,
    );
  }
  statements.push("analyze table users, items");
  return statements;
}
