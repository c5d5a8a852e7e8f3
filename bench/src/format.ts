/** Numbers as the tables show them. */
export const formatRate = (value: number): string => Math.round(value).toLocaleString("en-US");
export const formatMs = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(1));
export const formatMb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
export const formatRatio = (value: number): string => `${value.toFixed(2)}x`;

/** A GitHub-flavoured markdown table, so a run's output pastes straight into docs/performance.md. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
