import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { withStatementCache } from "./sqlite-statement-cache.ts";

describe("withStatementCache", () => {
  it("compiles each SQL text once and keeps at most `capacity` statements", () => {
    const db = new Database(":memory:");
    let compiled = 0;
    const counting = Object.assign(Object.create(db) as Database.Database, {
      prepare: (sql: string) => {
        compiled++;
        return db.prepare(sql);
      },
    });
    const cached = withStatementCache(counting, { capacity: 2 });
    cached.prepare("select 1");
    cached.prepare("select 1");
    expect(compiled).toBe(1);
    cached.prepare("select 2");
    cached.prepare("select 1"); // most recently used again
    cached.prepare("select 3"); // evicts "select 2", the least recently used
    cached.prepare("select 1");
    expect(compiled).toBe(3);
    cached.prepare("select 2");
    expect(compiled).toBe(4);
    expect(cached.prepare("select 1 + ?").all([41])).toEqual([{ "1 + ?": 42 }]);
    const inlined = "select 'a value MikroORM inlined into the text' as x";
    cached.prepare(inlined);
    cached.prepare(inlined);
    expect(compiled).toBe(7); // never cached: one compile each, and the cache kept its entries
    cached.close();
  });
});
