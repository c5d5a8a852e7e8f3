import { describe, expect, it } from "vitest";
import { CsvParser, formatCsvRow } from "./csv.ts";

function parse(text: string, chunkSize = text.length) {
  const parser = new CsvParser();
  const records = [];
  for (let start = 0; start < text.length; start += chunkSize) {
    records.push(...parser.push(text.slice(start, start + chunkSize)));
  }
  records.push(...parser.end());
  return records.map((record) => ({ line: record.line, values: record.fields.map((field) => field.value) }));
}

describe("csv", () => {
  it("reads quoted commas, doubled quotes and line breaks inside quotes, numbering records by their first line", () => {
    const text = 'a,b\n"x, y","say ""hi"""\n"two\r\nlines",z\nlast,row';
    expect(parse(text)).toEqual([
      { line: 1, values: ["a", "b"] },
      { line: 2, values: ["x, y", 'say "hi"'] },
      { line: 3, values: ["two\r\nlines", "z"] },
      { line: 5, values: ["last", "row"] },
    ]);
  });

  it("reads the same records whatever the chunk boundaries, CRLF line ends included", () => {
    const text = 'name,email\r\n"A, ""B""",a@b.co\r\n\r\nC,c@d.co\r\n';
    const whole = parse(text);
    for (const size of [1, 2, 3, 7]) expect(parse(text, size)).toEqual(whole);
    expect(whole.map((record) => record.line)).toEqual([1, 2, 4]);
  });

  it("tells a quoted empty field from an empty one", () => {
    const parser = new CsvParser();
    const [record] = parser.push('a,"",\n');
    expect(record?.fields).toEqual([
      { value: "a", quoted: false },
      { value: "", quoted: true },
      { value: "", quoted: false },
    ]);
  });

  it("writes null as an empty field and quotes only what needs it", () => {
    expect(formatCsvRow(["plain", null, "", "a,b", 'say "hi"', "two\nlines", " padded "])).toBe(
      'plain,,"","a,b","say ""hi""","two\nlines"," padded "\n',
    );
  });

  it("reads back exactly what it writes", () => {
    const values = ["Zoë", "a,b", '"', "\r\n", "", null, "  x"];
    const [record] = parse(formatCsvRow(values));
    expect(record?.values).toEqual(values.map((value) => value ?? ""));
  });
});
