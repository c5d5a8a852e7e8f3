import { expectNoMore, parseOptionalInt } from "../args.ts";
import { type Change, formatChange } from "../changes.ts";
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { printPage } from "../output.ts";
import { collectPages } from "../pages.ts";

const entities = ["user", "item"] as const;
type Entity = (typeof entities)[number];

function parseEntity(value: string | undefined): Entity | undefined {
  if (value === undefined) return undefined;
  const entity = entities.find((candidate) => candidate === value);
  if (!entity) throw new UsageError(`--entity must be user or item, got "${value}"`);
  return entity;
}

/** A change id to start after: 0 (the beginning) or a positive id. */
export function parseAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === "0") return 0;
  return parseOptionalInt(value, "--after");
}

function formatChanges(changes: ReadonlyArray<Change>): string {
  return `${changes.map(formatChange).join("\n")}\n`;
}

export const historyCommand = defineCommand({
  words: "history",
  usage: "history [--entity user|item] [--id N] [--after ID] [--limit N] [--all]",
  summary: "Past changes, oldest first, a page at a time (--all walks every page); a user sees their own",
  options: {
    entity: { type: "string" },
    id: { type: "string" },
    after: { type: "string" },
    limit: { type: "string" },
    all: { type: "boolean", default: false },
  },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 1);
    const entity = parseEntity(values.entity);
    const entityId = parseOptionalInt(values.id, "--id");
    // An id alone would match a user and an item that share it.
    if (entityId !== undefined && entity === undefined) throw new UsageError("Give --entity with --id");
    const limit = parseOptionalInt(values.limit, "--limit");
    const fetchPage = (after: number | null) =>
      context.client.changes.list.query({ after, entity, entityId, limit: values.all ? 100 : limit });
    const page = values.all
      ? { items: await collectPages(fetchPage, parseAfter(values.after) ?? null), nextCursor: null }
      : await fetchPage(parseAfter(values.after) ?? null);
    return printPage(context, page, "change", formatChanges, "--after");
  },
});
