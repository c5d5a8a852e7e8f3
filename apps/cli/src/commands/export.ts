import type { RouterOutputs } from "@app/client";
import { expectNoMore } from "../args.ts";
import { defineCommand } from "../command.ts";
import { writeCompleteOrNothing } from "../complete-file.ts";
import type { Output } from "../context.ts";
import { formatCsvRow } from "../csv.ts";
import { exitCodes } from "../errors.ts";
import { formatOfFile, parseFormat } from "../formats.ts";
import { formatCount, write } from "../output.ts";
import { walkPages } from "../pages.ts";

type User = RouterOutputs["users"]["list"]["items"][number];

/** The largest page the server serves: fewest requests for the same flat memory. */
const pageSize = 100;

export const exportCommand = defineCommand({
  words: "export",
  usage: "export [--with-items] [--format jsonl|csv] [--out FILE]",
  summary: "Write every user (and its items) as JSON lines or CSV, ready for import; admin only",
  options: {
    "with-items": { type: "boolean", default: false },
    format: { type: "string" },
    out: { type: "string" },
  },
  async run(context, { values, positionals }) {
    expectNoMore(positionals, 1);
    const withItems = values["with-items"];
    const format =
      parseFormat(values.format) ?? (values.out ? formatOfFile(values.out) : undefined) ?? "jsonl";
    const toLines =
      format === "csv" ? (user: User) => toCsv(user, withItems) : (user: User) => toJsonLine(user, withItems);
    let users = 0;
    let items = 0;
    const exportTo = async (stream: Output) => {
      if (format === "csv") await write(stream, formatCsvRow(csvHeader(withItems)));
      const pages = walkPages((cursor) =>
        context.client.users.list.query({ limit: pageSize, cursor, withItems }),
      );
      for await (const page of pages) {
        await write(stream, page.map(toLines).join(""));
        users += page.length;
        for (const user of page) items += user.items?.length ?? 0;
      }
    };
    const out = values.out;
    if (out === undefined) {
      await exportTo(context.io.stdout);
      return exitCodes.ok;
    }
    await writeCompleteOrNothing(out, exportTo);
    const what = withItems
      ? `${formatCount(users)} users and ${formatCount(items)} items`
      : `${formatCount(users)} users`;
    context.io.stderr.write(`Exported ${what} to ${out}\n`);
    return exitCodes.ok;
  },
});

// Only what an import sends: ids, versions and timestamps are the server's to assign, so that an
// export imported into an empty database exports again byte for byte.

function toJsonLine(user: User, withItems: boolean): string {
  const items = (user.items ?? []).map(({ title, description }) => ({ title, description }));
  return `${JSON.stringify({ name: user.name, email: user.email, ...(withItems && { items }) })}\n`;
}

function csvHeader(withItems: boolean): string[] {
  return withItems ? ["name", "email", "title", "description"] : ["name", "email"];
}

/** One row a user, or with items one row an item, the user repeated (import joins them back). */
function toCsv(user: User, withItems: boolean): string {
  if (!withItems) return formatCsvRow([user.name, user.email]);
  const items = user.items ?? [];
  if (items.length === 0) return formatCsvRow([user.name, user.email, null, null]);
  return items.map((item) => formatCsvRow([user.name, user.email, item.title, item.description])).join("");
}
