import { once } from "node:events";
import type { Context, Output } from "./context.ts";
import { exitCodes } from "./errors.ts";
import type { Page } from "./pages.ts";

/** Writes text and waits for the stream to drain when its buffer is full, so memory stays flat. */
export async function write(stream: Output, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

/** One JSON document on its own line, for `--json`. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A plain-text table: a header, a rule, and columns padded to their widest cell; numbers right-aligned. */
export function formatTable(
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const numeric = headers.map(
    (_, column) => rows.length > 0 && rows.every((row) => /^\d+$/.test(row[column] ?? "")),
  );
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width));
  return `${[line(headers), line(rule), ...rows.map(line)].join("\n")}\n`;
}

/** A timestamp as `2025-01-31 14:05`, short enough for a table column. */
export function formatTime(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** `1,234`: counts a person reads at a glance. */
export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** Prints a record the server returned: as JSON with `--json`, else as the line `describe` builds. */
export function printRecord<T>(context: Context, record: T, describe: (record: T) => string): number {
  context.io.stdout.write(context.json ? formatJson(record) : `${describe(record)}\n`);
  return exitCodes.ok;
}

/**
 * Prints a page a list command fetched: as JSON with `--json`, else as the table `format` builds
 * (or "No <noun>s."), with a hint naming the next cursor (and the option that takes it) when there
 * is one.
 */
export function printPage<T>(
  context: Context,
  page: Page<T>,
  noun: string,
  format: (items: T[]) => string,
  cursorOption = "--cursor",
): number {
  if (context.json) {
    context.io.stdout.write(formatJson(page));
    return exitCodes.ok;
  }
  context.io.stdout.write(page.items.length > 0 ? format(page.items) : `No ${noun}s.\n`);
  if (page.nextCursor !== null) {
    context.io.stdout.write(
      `More ${noun}s: add ${cursorOption} ${page.nextCursor} for the next page, or --all.\n`,
    );
  }
  return exitCodes.ok;
}
