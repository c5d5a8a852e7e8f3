import { UsageError } from "./errors.ts";

/** The two file formats import reads and export writes. */
export type FileFormat = "csv" | "jsonl";

/** The format a file's name announces: `.csv` is CSV; `.jsonl`, `.ndjson` and `.json` are JSON lines. */
export function formatOfFile(path: string): FileFormat | undefined {
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return "jsonl";
  return undefined;
}

/** The `--format` option's value, checked. */
export function parseFormat(value: string | undefined): FileFormat | undefined {
  if (value === undefined || value === "csv" || value === "jsonl") return value;
  throw new UsageError(`--format must be csv or jsonl, got "${value}"`);
}
