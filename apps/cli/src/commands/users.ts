import type { RouterOutputs } from "@app/client";
import { expectNoMore, parseOptionalInt, parsePositiveInt, takeOne } from "../args.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatTable, formatTime, printPage, printRecord } from "../output.ts";
import { collectPages } from "../pages.ts";
import { formatItemTable } from "./items.ts";

type User = RouterOutputs["users"]["byId"];

function formatUserTable(users: ReadonlyArray<User>, withItems: boolean): string {
  const headers = ["id", "name", "email", ...(withItems ? ["items"] : []), "version", "updated"];
  const rows = users.map((user) => [
    String(user.id),
    user.name,
    user.email,
    ...(withItems ? [String(user.items?.length ?? 0)] : []),
    String(user.version),
    formatTime(user.updatedAt),
  ]);
  return formatTable(headers, rows);
}

function describeUser(user: User): string {
  return `user ${user.id}: ${user.name} <${user.email}> (version ${user.version})`;
}

export const usersList = defineCommand({
  words: "users list",
  usage: "users list [--search TEXT] [--limit N] [--cursor ID] [--all] [--with-items]",
  summary: "List users a page at a time (--all walks every page); admin only",
  options: {
    search: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    all: { type: "boolean", default: false },
    "with-items": { type: "boolean", default: false },
  },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 2);
    const withItems = values["with-items"];
    const search = values.search;
    const limit = parseOptionalInt(values.limit, "--limit");
    const fetchPage = (cursor: number | null) =>
      context.client.users.list.query({ search, withItems, cursor, limit: values.all ? 100 : limit });
    const page = values.all
      ? { items: await collectPages(fetchPage), nextCursor: null }
      : await fetchPage(parseOptionalInt(values.cursor, "--cursor") ?? null);
    return printPage(context, page, "user", (items) => formatUserTable(items, withItems));
  },
});

export const usersGet = defineCommand({
  words: "users get",
  usage: "users get ID",
  summary: "Show one user with its items",
  options: {},
  async run(context, { positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "user ID"), "user ID");
    const user = await context.client.users.byId.query({ id });
    return printRecord(context, user, (record) => {
      const items = record.items ?? [];
      const heading = `${describeUser(record)}\ncreated ${formatTime(record.createdAt)}, updated ${formatTime(record.updatedAt)}`;
      return items.length > 0 ? `${heading}\n\n${formatItemTable(items).trimEnd()}` : `${heading}\nNo items.`;
    });
  },
});

export const usersCreate = defineCommand({
  words: "users create",
  usage: "users create --name NAME --email EMAIL",
  summary: "Create a user (without a password: an admin sets one); admin only",
  options: { name: { type: "string" }, email: { type: "string" } },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 2);
    const { name, email } = values;
    if (name === undefined || email === undefined) throw new UsageError("Give both --name and --email");
    const user = await context.client.users.create.mutate({ name, email });
    return printRecord(context, user, (record) => `Created ${describeUser(record)}`);
  },
});

export const usersUpdate = defineCommand({
  words: "users update",
  usage: "users update ID [--name NAME] [--email EMAIL] [--version N]",
  summary: "Change a user's name or email (--version refuses the change if someone else made one)",
  options: { name: { type: "string" }, email: { type: "string" }, version: { type: "string" } },
  async run(context, { values, positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "user ID"), "user ID");
    const { name, email } = values;
    if (name === undefined && email === undefined) throw new UsageError("Give --name or --email to change");
    const version = parseOptionalInt(values.version, "--version");
    const user = await context.client.users.update.mutate({ id, name, email, version });
    return printRecord(context, user, (record) => `Updated ${describeUser(record)}`);
  },
});

export const usersDelete = defineCommand({
  words: "users delete",
  usage: "users delete ID",
  summary: "Delete a user and its items",
  options: {},
  async run(context, { positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "user ID"), "user ID");
    const deleted = await context.client.users.delete.mutate({ id });
    return printRecord(context, deleted, (record) => `Deleted user ${record.id} and its items`);
  },
});
