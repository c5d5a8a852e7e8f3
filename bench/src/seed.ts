import Database from "better-sqlite3";

export type SeedOptions = { users: number; itemsPerUser: number };

/** A fixed instant, so every run seeds the same rows (timestamps are epoch ms, as MikroORM stores them). */
const seededAt = Date.UTC(2026, 0, 1);

/**
 * Fills a migrated database with `users` users of `itemsPerUser` items each, through raw prepared
 * statements in one transaction: a million users take seconds, where the API would take minutes.
 * Every other item has a description, so both shapes of `description` travel.
 */
export function seedDatabase(path: string, options: SeedOptions): void {
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
