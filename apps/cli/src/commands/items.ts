import type { RouterOutputs } from "@app/client";
import { expectNoMore, parseOptionalInt, parsePositiveInt, takeOne } from "../args.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatTable, formatTime, printPage, printRecord } from "../output.ts";
import { collectPages } from "../pages.ts";

type Item = RouterOutputs["items"]["byId"];

/** Items as a table; long descriptions are cut to keep one item a line. */
export function formatItemTable(items: ReadonlyArray<Item>): string {
  const rows = items.map((item) => [
    String(item.id),
    item.title,
    shorten(item.description ?? "", 40),
    String(item.ownerId),
    formatTime(item.updatedAt),
  ]);
  return formatTable(["id", "title", "description", "owner", "updated"], rows);
}

function shorten(text: string, length: number): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > length ? `${oneLine.slice(0, length - 1)}…` : oneLine;
}

function describeItem(item: Item): string {
  return `item ${item.id}: "${item.title}" of user ${item.ownerId}`;
}

export const itemsList = defineCommand({
  words: "items list",
  usage: "items list [--user ID] [--limit N] [--cursor ID] [--all]",
  summary:
    "List items (an admin sees everyone's, a user their own), a page at a time (--all walks every page)",
  options: {
    user: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    all: { type: "boolean", default: false },
  },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 2);
    const userId = parseOptionalInt(values.user, "--user");
    const limit = parseOptionalInt(values.limit, "--limit");
    const fetchPage = (cursor: number | null) =>
      context.client.items.list.query({ userId, cursor, limit: values.all ? 100 : limit });
    const page = values.all
      ? { items: await collectPages(fetchPage), nextCursor: null }
      : await fetchPage(parseOptionalInt(values.cursor, "--cursor") ?? null);
    return printPage(context, page, "item", formatItemTable);
  },
});

export const itemsGet = defineCommand({
  words: "items get",
  usage: "items get ID",
  summary: "Show one item",
  options: {},
  async run(context, { positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "item ID"), "item ID");
    const item = await context.client.items.byId.query({ id });
    return printRecord(
      context,
      item,
      (record) =>
        `${describeItem(record)}\ndescription: ${record.description ?? "(none)"}\n` +
        `created ${formatTime(record.createdAt)}, updated ${formatTime(record.updatedAt)}`,
    );
  },
});

export const itemsCreate = defineCommand({
  words: "items create",
  usage: "items create --title TITLE [--description TEXT] [--user ID]",
  summary: "Add an item: your own, or with --user another user's (an admin's call)",
  options: { user: { type: "string" }, title: { type: "string" }, description: { type: "string" } },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 2);
    const userId = parseOptionalInt(values.user, "--user");
    if (values.title === undefined) throw new UsageError("Give --title");
    const item = await context.client.items.create.mutate({
      userId,
      title: values.title,
      description: values.description,
    });
    return printRecord(context, item, (record) => `Created ${describeItem(record)}`);
  },
});

export const itemsUpdate = defineCommand({
  words: "items update",
  usage: "items update ID [--title TITLE] [--description TEXT | --clear-description]",
  summary: "Change an item's title or description",
  options: {
    title: { type: "string" },
    description: { type: "string" },
    "clear-description": { type: "boolean", default: false },
  },
  async run(context, { values, positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "item ID"), "item ID");
    if (values["clear-description"] && values.description !== undefined) {
      throw new UsageError("Give --description or --clear-description, not both");
    }
    const description = values["clear-description"] ? null : values.description;
    if (values.title === undefined && description === undefined) {
      throw new UsageError("Give --title, --description or --clear-description to change");
    }
    const item = await context.client.items.update.mutate({ id, title: values.title, description });
    return printRecord(context, item, (record) => `Updated ${describeItem(record)}`);
  },
});

export const itemsDelete = defineCommand({
  words: "items delete",
  usage: "items delete ID",
  summary: "Delete an item",
  options: {},
  async run(context, { positionals }) {
    const id = parsePositiveInt(takeOne(positionals, 2, "item ID"), "item ID");
    const deleted = await context.client.items.delete.mutate({ id });
    return printRecord(context, deleted, (record) => `Deleted item ${record.id}`);
  },
});
