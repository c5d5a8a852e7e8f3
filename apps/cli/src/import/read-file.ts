import { createReadStream } from "node:fs";
import { CsvParser, type CsvRecord } from "../csv.ts";
import { UsageError } from "../errors.ts";
import type { FileFormat } from "../formats.ts";
import { type ImportRow, type Rejection, toImportRow } from "./rows.ts";

const csvColumns = ["name", "email", "title", "description"];
const optionalColumns = new Set(["title", "description"]);

/**
 * Reads the file a chunk at a time and yields each row checked against the API's schemas, so a
 * file of any size is imported in bounded memory. `onBytes` reports how far into the file it is.
 */
export async function* readImportRows(
  path: string,
  options: { format: FileFormat; onBytes?: (bytes: number) => void },
): AsyncGenerator<ImportRow | Rejection> {
  const chunks = readChunks(path, options.onBytes);
  yield* options.format === "csv" ? readCsvRows(chunks) : readJsonLines(chunks);
}

async function* readChunks(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  let bytes = 0;
  // A small high-water mark keeps the progress bar moving on files of a few hundred kilobytes.
  for await (const chunk of createReadStream(path, { highWaterMark: 16 * 1024 })) {
    if (!(chunk instanceof Buffer)) continue;
    bytes += chunk.length;
    onBytes?.(bytes);
    yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* readCsvRows(chunks: AsyncIterable<string>): AsyncGenerator<ImportRow | Rejection> {
  const parser = new CsvParser();
  let header: string[] | undefined;
  const toRows = function* (records: CsvRecord[]) {
    for (const record of records) {
      if (header) {
        yield record.fields.length > header.length
          ? {
              line: record.line,
              reason: `${record.fields.length} fields where the header has ${header.length}`,
            }
          : toImportRow(csvRecordToObject(header, record), record.line);
        continue;
      }
      header = record.fields.map((field) =>
        field.value
          .trim()
          .toLowerCase()
          .replace(/^\uFEFF/, ""),
      );
      checkHeader(header);
    }
  };
  for await (const chunk of chunks) yield* toRows(parser.push(chunk));
  yield* toRows(parser.end());
  if (!header) throw new UsageError("The file is empty: a CSV import needs a header line (name,email)");
}

function checkHeader(header: string[]): void {
  const unknown = header.filter((column) => !csvColumns.includes(column));
  if (unknown.length > 0 || !header.includes("name") || !header.includes("email")) {
    throw new UsageError(
      `The CSV header must name the columns name,email and optionally title,description; got "${header.join(",")}"`,
    );
  }
}

/** An empty unquoted title or description is absent (no item, a null description); "" is empty. */
function csvRecordToObject(header: string[], record: CsvRecord): Record<string, string> {
  const object: Record<string, string> = {};
  header.forEach((column, index) => {
    const field = record.fields[index];
    const absent = !field || (field.value === "" && !field.quoted && optionalColumns.has(column));
    if (!absent) object[column] = field.value;
  });
  return object;
}

async function* readJsonLines(chunks: AsyncIterable<string>): AsyncGenerator<ImportRow | Rejection> {
  let pending = "";
  let line = 0;
  for await (const chunk of chunks) {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const text of lines) {
      line++;
      if (text.trim()) yield parseJsonLine(text, line);
    }
  }
  if (pending.trim()) yield parseJsonLine(pending, line + 1);
}

function parseJsonLine(text: string, line: number): ImportRow | Rejection {
  try {
    return toImportRow(JSON.parse(text), line);
  } catch (error) {
    return { line, reason: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}
