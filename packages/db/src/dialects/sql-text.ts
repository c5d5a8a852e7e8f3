/** How a database spells literals: MariaDB/MySQL escape with backslashes and quote strings with `"` too. */
export type SqlFlavour = "sqlite" | "postgresql" | "mysql";

/**
 * The statement with every literal value replaced by `?`: strings, numbers, booleans, hex and
 * blob literals. MikroORM inlines its parameters into the SQL it sends (`where "email" =
 * 'ann@example.com'`), so its statements carry the caller's data; a trace must not. Identifiers
 * (quoted or not), keywords and placeholders (`?`, `$1`) are kept as they are; comments are
 * dropped (neither MikroORM nor Kysely writes any, and a `--` misread as one must not keep a value).
 *
 * A single pass over the text, aware of each flavour's quoting, so that a quote inside a string
 * or an identifier cannot make a later value read as code. A string left open hides the rest.
 */
export function sanitizeSql(sql: string, flavour: SqlFlavour): string {
  let out = "";
  let copied = 0; // sql[copied, i) is still to be copied verbatim
  let i = 0;
  const replace = (start: number, end: number, by = "?") => {
    out += `${sql.slice(copied, start)}${by}`;
    copied = end;
  };
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === quote) {
      const end = endOfString(sql, i, flavour === "mysql");
      replace(i, end);
      i = end;
    } else if (c === doubleQuote) {
      const end = flavour === "mysql" ? endOfString(sql, i, true) : endOfQuoted(sql, i, doubleQuote);
      if (flavour === "mysql") replace(i, end);
      i = end;
    } else if (c === backtick) {
      i = endOfQuoted(sql, i, backtick);
    } else if (c === dash && sql.charCodeAt(i + 1) === dash) {
      const end = endOfLine(sql, i);
      replace(i, end, " ");
      i = end;
    } else if (c === slash && sql.charCodeAt(i + 1) === star) {
      const close = sql.indexOf("*/", i + 2);
      const end = close < 0 ? sql.length : close + 2;
      replace(i, end, " ");
      i = end;
    } else if (c === dollar) {
      const end = flavour === "postgresql" ? endOfDollarQuoted(sql, i) : undefined;
      if (end === undefined) {
        i = endOfWord(sql, i + 1); // a placeholder ($1) or a name holding a dollar
      } else {
        replace(i, end);
        i = end;
      }
    } else if (isDigit(c) || (c === dot && isDigit(sql.charCodeAt(i + 1)))) {
      const end = endOfNumber(sql, i);
      replace(i, end);
      i = end;
    } else if (isWordStart(c)) {
      const end = endOfWord(sql, i + 1);
      // A literal with a prefix (E'…', X'…', B'…', N'…'): PostgreSQL reads backslash escapes in E'…'.
      if (end - i === 1 && sql.charCodeAt(end) === quote && isLiteralPrefix(c)) {
        const escapes = flavour === "mysql" || (flavour === "postgresql" && (c | 0x20) === 0x65);
        const stringEnd = endOfString(sql, end, escapes);
        replace(i, stringEnd);
        i = stringEnd;
        continue;
      }
      const word = sql.slice(i, end).toLowerCase();
      if (word === "true" || word === "false") replace(i, end);
      i = end;
    } else {
      i++;
    }
  }
  return out + sql.slice(copied);
}

/** The statement's first keyword in upper case (`SELECT`, `INSERT`, `BEGIN`), and the table it names. */
export function summarizeSql(sql: string): { operation: string; table: string | undefined } {
  const words = /^[\s(]*([A-Za-z]+)/.exec(sql);
  let operation = (words?.[1] ?? "").toUpperCase();
  let rest = sql.slice(words?.[0].length ?? 0);
  if (operation === "WITH") {
    // The statement the common table expressions serve: the first one after them, outside brackets.
    const main = mainStatementAfterWith(rest);
    if (main) {
      operation = main.operation;
      rest = main.rest;
    }
  }
  const target = tablePatterns[operation]?.exec(rest);
  return { operation, table: target?.[1] ?? target?.[2] ?? target?.[3] };
}

// The table after the operation's keyword: "quoted", `quoted` or bare (a schema prefix is dropped).
const name = /(?:[\w$]+|"[^"]*"|`[^`]*`)\s*\.\s*/.source;
const tableAfter = (keyword: string) =>
  new RegExp(`^[^;]*?\\b${keyword}\\s+(?:${name})?(?:"([^"]+)"|\`([^\`]+)\`|([A-Za-z_][\\w$]*))`, "i");
const tablePatterns: Record<string, RegExp> = {
  SELECT: tableAfter("from"),
  DELETE: tableAfter("from"),
  INSERT: tableAfter("into"),
  UPDATE: /^\s*(?:(?:[\w$]+|"[^"]*"|`[^`]*`)\s*\.\s*)?(?:"([^"]+)"|`([^`]+)`|([A-Za-z_][\w$]*))/,
};

function mainStatementAfterWith(text: string): { operation: string; rest: string } | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === openBracket) depth++;
    else if (c === closeBracket) depth--;
    else if (c === quote) i = endOfString(text, i, false) - 1;
    else if (depth === 0 && isWordStart(c)) {
      const end = endOfWord(text, i + 1);
      const word = text.slice(i, end).toUpperCase();
      if (word === "SELECT" || word === "INSERT" || word === "UPDATE" || word === "DELETE") {
        return { operation: word, rest: text.slice(end) };
      }
      i = end - 1;
    }
  }
  return undefined;
}

const quote = 0x27; // '
const doubleQuote = 0x22; // "
const backtick = 0x60; // `
const dash = 0x2d; // -
const slash = 0x2f; // /
const star = 0x2a; // *
const dollar = 0x24; // $
const dot = 0x2e; // .
const backslash = 0x5c; // \
const openBracket = 0x28; // (
const closeBracket = 0x29; // )

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === dollar;
}

function isLiteralPrefix(c: number): boolean {
  const lower = c | 0x20;
  return lower === 0x65 || lower === 0x78 || lower === 0x62 || lower === 0x6e; // e, x, b, n
}

function endOfWord(sql: string, from: number): number {
  let i = from;
  while (i < sql.length && isWordPart(sql.charCodeAt(i))) i++;
  return i;
}

/** After a string opened at `start` with `'` or `"`: a doubled quote stays inside; so does `\'` when escaping. */
function endOfString(sql: string, start: number, backslashEscapes: boolean): number {
  const close = sql.charCodeAt(start);
  let i = start + 1;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (backslashEscapes && c === backslash) i += 2;
    else if (c === close) {
      if (sql.charCodeAt(i + 1) !== close) return i + 1;
      i += 2;
    } else i++;
  }
  return sql.length;
}

/** After an identifier quoted with `"` or a backtick (a doubled quote stays inside). */
function endOfQuoted(sql: string, start: number, close: number): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql.charCodeAt(i) === close) {
      if (sql.charCodeAt(i + 1) !== close) return i + 1;
      i += 2;
    } else i++;
  }
  return sql.length;
}

function endOfLine(sql: string, from: number): number {
  const end = sql.indexOf("\n", from);
  return end < 0 ? sql.length : end;
}

/** `$$…$$` or `$tag$…$tag$` (PostgreSQL), or undefined when `$` starts no such string ($1). */
function endOfDollarQuoted(sql: string, start: number): number | undefined {
  const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(sql.slice(start, start + 64));
  if (!tag) return undefined;
  const close = sql.indexOf(tag[0], start + tag[0].length);
  return close < 0 ? sql.length : close + tag[0].length;
}

/** Digits, a fraction, an exponent with its sign, or a hex literal (0x1F). */
function endOfNumber(sql: string, start: number): number {
  let i = start;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (isDigit(c) || c === dot || isWordStart(c)) i++;
    else if ((c === 0x2b || c === dash) && (sql.charCodeAt(i - 1) | 0x20) === 0x65 && !isHex(sql, start)) i++;
    else break;
  }
  return i;
}

function isHex(sql: string, start: number): boolean {
  return sql.charCodeAt(start) === 0x30 && (sql.charCodeAt(start + 1) | 0x20) === 0x78;
}
