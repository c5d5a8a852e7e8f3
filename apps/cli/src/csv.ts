// A small streaming CSV reader and writer (RFC 4180: comma-separated, double quotes around fields
// that hold commas, quotes or line breaks, "" for a quote inside quotes). One convention on top:
// an empty unquoted field is "no value" (null) and a quoted empty field "" is the empty string, so
// an item description that is null and one that is "" both survive an export/import round trip.

/** One field as read: its text, and whether it was quoted (which tells `""` from nothing). */
export type CsvField = { value: string; quoted: boolean };
/** One record with the 1-based line it starts on (a quoted line break makes a record span lines). */
export type CsvRecord = { fields: CsvField[]; line: number };

type State = "fieldStart" | "unquoted" | "quoted" | "quoteInQuoted";

/**
 * Parses CSV pushed to it in chunks of any size and hands back the records each chunk completes,
 * so a file of any length is read in memory bounded by its longest record.
 */
export class CsvParser {
  #state: State = "fieldStart";
  #field = "";
  #quoted = false;
  #fields: CsvField[] = [];
  #line = 1;
  #recordLine = 1;
  #pendingCarriageReturn = false;

  /** Feeds the next chunk; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    for (const char of chunk) this.#read(char, records);
    return records;
  }

  /** Ends the input; returns the last record when the file does not end with a line break. */
  end(): CsvRecord[] {
    const records: CsvRecord[] = [];
    if (this.#pendingCarriageReturn) this.#endRecord(records);
    else if (this.#state !== "fieldStart" || this.#fields.length > 0) this.#endRecord(records);
    return records;
  }

  #read(char: string, records: CsvRecord[]): void {
    if (this.#pendingCarriageReturn) {
      this.#pendingCarriageReturn = false;
      if (char === "\n") {
        this.#line++;
        this.#endRecord(records);
        return;
      }
      this.#field += "\r";
      this.#state = "unquoted";
    }
    if (char === "\n") this.#line++;
    switch (this.#state) {
      case "quoted":
        if (char === '"') this.#state = "quoteInQuoted";
        else this.#field += char;
        return;
      case "quoteInQuoted":
        if (char === '"') {
          this.#field += '"';
          this.#state = "quoted";
          return;
        }
        this.#state = "unquoted";
        break;
      case "fieldStart":
        if (char === '"') {
          this.#quoted = true;
          this.#state = "quoted";
          return;
        }
        break;
      case "unquoted":
        break;
    }
    if (char === ",") this.#endField();
    else if (char === "\n") this.#endRecord(records);
    else if (char === "\r") this.#pendingCarriageReturn = true;
    else {
      this.#field += char;
      this.#state = "unquoted";
    }
  }

  #endField(): void {
    this.#fields.push({ value: this.#field, quoted: this.#quoted });
    this.#field = "";
    this.#quoted = false;
    this.#state = "fieldStart";
  }

  #endRecord(records: CsvRecord[]): void {
    this.#endField();
    const blank = this.#fields.length === 1 && this.#fields[0]?.value === "" && !this.#fields[0].quoted;
    if (!blank) records.push({ fields: this.#fields, line: this.#recordLine });
    this.#fields = [];
    this.#recordLine = this.#line;
  }
}

/** One CSV line (with its `\n`) for the given values; null is an empty field, "" a quoted empty one. */
export function formatCsvRow(values: ReadonlyArray<string | null>): string {
  return `${values.map(formatCsvField).join(",")}\n`;
}

function formatCsvField(value: string | null): string {
  if (value === null) return "";
  if (value === "" || /[",\r\n]/.test(value) || value !== value.trim()) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}
