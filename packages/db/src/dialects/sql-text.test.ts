import { MariaDbPlatform } from "@mikro-orm/mariadb";
import { PostgreSqlPlatform } from "@mikro-orm/postgresql";
import { SqlitePlatform } from "@mikro-orm/sqlite";
import { describe, expect, it } from "vitest";
import { type SqlFlavour, sanitizeSql, summarizeSql } from "./sql-text.ts";

// The platforms MikroORM inlines values with, each as its driver quotes them.
const platforms: [SqlFlavour, SqlitePlatform | PostgreSqlPlatform | MariaDbPlatform][] = [
  ["sqlite", new SqlitePlatform()],
  ["postgresql", new PostgreSqlPlatform()],
  ["mysql", new MariaDbPlatform()],
];

/** Deterministic values full of what trips a tokenizer: quotes of every kind, escapes, comments. */
function* nastyValues(count: number): Generator<string> {
  const pieces = [
    "'",
    "''",
    '"',
    "`",
    "\\",
    "\\'",
    "$$",
    "$1",
    "--",
    "/*",
    "*/",
    "?",
    "\n",
    " ",
    "é",
    "x",
    "7",
    "E'",
  ];
  let seed = 17;
  for (let n = 0; n < count; n++) {
    let value = "";
    const length = 1 + (n % 12);
    for (let i = 0; i < length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      value += pieces[seed % pieces.length];
    }
    yield value;
  }
}

const collapse = (sql: string) => sql.replace(/\s+/g, " ").trim();

describe("sanitizeSql", () => {
  it("leaves no trace of the values MikroORM inlines, on every dialect", () => {
    for (const [flavour, platform] of platforms) {
      const [table, name, note, avatar, id, active] = ["users", "name", "note", "avatar", "id", "active"].map(
        (identifier) => platform.quoteIdentifier(identifier),
      );
      const template = `update ${table} set ${name} = ?, ${note} = ?, ${avatar} = ? where ${id} = ? and ${active} = ?`;
      const expected = collapse(template);
      for (const value of nastyValues(400)) {
        const secret = `SECRET${value}SECRET`;
        const formatted = platform.formatQuery(template, [secret, value, Buffer.from(value), 4711, true]);
        const sanitized = sanitizeSql(formatted, flavour);
        expect(collapse(sanitized), `${flavour}: ${formatted}`).toBe(expected);
        expect(sanitized).not.toContain("SECRET");
        expect(sanitized).not.toContain("4711");
      }
    }
  });

  it("keeps identifiers, placeholders and keywords, and drops comments", () => {
    expect(
      sanitizeSql(
        `select "e0"."id", t1.name from "users" as "e0" where "e0"."id" = $1 limit $2`,
        "postgresql",
      ),
    ).toBe(`select "e0"."id", t1.name from "users" as "e0" where "e0"."id" = $1 limit $2`);
    expect(sanitizeSql("select `u`.`id` from `users` as `u` where `u`.`id` in (?, ?)", "mysql")).toBe(
      "select `u`.`id` from `users` as `u` where `u`.`id` in (?, ?)",
    );
    expect(sanitizeSql(`savepoint "trx1"`, "sqlite")).toBe(`savepoint "trx1"`);
    expect(sanitizeSql("select 1 -- 'a comment'\nfrom t /* 42 */ where a = -2.5e-3", "sqlite")).toBe(
      "select ?  \nfrom t   where a = -?",
    );
  });

  it("reads double quotes as identifiers except on MariaDB/MySQL, where they quote strings", () => {
    expect(sanitizeSql(`select "secret" from t`, "postgresql")).toBe(`select "secret" from t`);
    expect(sanitizeSql(`select "secret" from t`, "mysql")).toBe("select ? from t");
  });

  it("hides everything after a string left open", () => {
    expect(sanitizeSql("select 'unterminated, secret", "sqlite")).toBe("select ?");
  });

  it("hides PostgreSQL's dollar-quoted strings and hex, bit and national literals", () => {
    expect(
      sanitizeSql("select $$a secret$$, $t$another$t$, x'0aff', B'101', N'n' from t", "postgresql"),
    ).toBe("select ?, ?, ?, ?, ? from t");
  });
});

describe("summarizeSql", () => {
  it("names the operation and, where there is one, its table", () => {
    expect(summarizeSql(`select "e0".* from "users" as "e0" where "e0"."id" = ?`)).toEqual({
      operation: "SELECT",
      table: "users",
    });
    expect(summarizeSql("insert into `items` (`title`) values (?)")).toEqual({
      operation: "INSERT",
      table: "items",
    });
    expect(summarizeSql(`update "public"."users" set "name" = ?`)).toEqual({
      operation: "UPDATE",
      table: "users",
    });
    expect(summarizeSql(`delete from sessions where id = ?`)).toEqual({
      operation: "DELETE",
      table: "sessions",
    });
    expect(summarizeSql("with recent as (select * from items) select * from recent")).toEqual({
      operation: "SELECT",
      table: "recent",
    });
    expect(summarizeSql("begin immediate")).toEqual({ operation: "BEGIN", table: undefined });
    expect(summarizeSql("commit")).toEqual({ operation: "COMMIT", table: undefined });
  });
});
