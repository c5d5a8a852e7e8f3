import { statSync } from "node:fs";
import { basename } from "node:path";
import { parseOptionalInt, takeOne } from "../args.ts";
import { defineCommand } from "../command.ts";
import { exitCodes, UsageError } from "../errors.ts";
import { formatOfFile, parseFormat } from "../formats.ts";
import { emptySummary, type ImportSummary, importRows } from "../import/importer.ts";
import { readImportRows } from "../import/read-file.ts";
import { formatCount, formatJson } from "../output.ts";
import { createProgress } from "../progress.ts";

/** The server refuses batches of more than 10 calls (MAX_BATCH_SIZE). */
const maxBatchSize = 10;

export const importCommand = defineCommand({
  words: "import",
  usage: "import FILE [--format csv|jsonl] [--batch-size N]",
  summary: "Create users (and items) from CSV (name,email[,title,description]) or JSON lines; admin only",
  options: { format: { type: "string" }, "batch-size": { type: "string" } },
  async run(context, { values, positionals }) {
    const file = takeOne(positionals, 1, "FILE");
    const format = parseFormat(values.format) ?? formatOfFile(file);
    if (!format)
      throw new UsageError(`Cannot tell the format of ${file}: name it .csv or .jsonl, or pass --format`);
    const batchSize = parseOptionalInt(values["batch-size"], "--batch-size") ?? maxBatchSize;
    if (batchSize > maxBatchSize) throw new UsageError(`--batch-size must be at most ${maxBatchSize}`);
    const totalBytes = sizeOf(file);

    const summary = emptySummary();
    let bytes = 0;
    const state = () => ({ bytes, ...summary });
    const progress = createProgress({
      stream: context.io.stderr,
      label: `importing ${basename(file)}`,
      totalBytes,
    });
    const rows = readImportRows(file, {
      format,
      onBytes: (read) => {
        bytes = read;
      },
    });
    try {
      await importRows(rows, {
        client: context.client,
        batchSize,
        summary,
        onProgress: () => progress.update(state()),
      });
    } catch (error) {
      progress.done(state());
      if (summary.usersCreated > 0) {
        context.io.stderr.write(
          `Import stopped after ${formatCount(summary.rows)} rows: ` +
            `${formatCount(summary.created)} created, ${formatCount(summary.rejected)} rejected.\n`,
        );
      }
      throw error;
    }
    progress.done(state());
    summary.rejections.sort((a, b) => a.line - b.line);
    context.io.stdout.write(
      context.json ? formatJson({ file, format, ...summary }) : formatSummary(basename(file), summary),
    );
    return summary.rejected > 0 ? exitCodes.rejected : exitCodes.ok;
  },
});

function sizeOf(file: string): number {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new UsageError(`${file} is not a file`);
    return stats.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function formatSummary(file: string, summary: ImportSummary): string {
  const lines = [
    `Imported ${file}: ${formatCount(summary.created)} of ${formatCount(summary.rows)} rows created ` +
      `(${formatCount(summary.usersCreated)} users, ${formatCount(summary.itemsCreated)} items), ` +
      `${formatCount(summary.rejected)} rejected${summary.rejected > 0 ? ":" : "."}`,
    ...summary.rejections.map((rejection) => `  line ${rejection.line}: ${rejection.reason}`),
  ];
  const unlisted = summary.rejected - summary.rejections.length;
  if (unlisted > 0) lines.push(`  … and ${formatCount(unlisted)} more`);
  return `${lines.join("\n")}\n`;
}
