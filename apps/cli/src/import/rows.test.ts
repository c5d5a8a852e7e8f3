import { describe, expect, it } from "vitest";
import { toImportRow } from "./rows.ts";

describe("import rows", () => {
  it("normalises a row the way the server would: trimmed name, lower-cased email", () => {
    expect(toImportRow({ name: " Ann ", email: " ANN@Example.com" }, 2)).toEqual({
      line: 2,
      user: { name: "Ann", email: "ann@example.com" },
      items: [],
    });
  });

  it("turns a flat title and description into one item, and a nested items list into several", () => {
    expect(toImportRow({ name: "A", email: "a@b.co", title: "Pen" }, 3)).toMatchObject({
      items: [{ title: "Pen" }],
    });
    const nested = toImportRow(
      { name: "A", email: "a@b.co", items: [{ title: "x" }, { title: "y", description: null }] },
      4,
    );
    expect(nested).toMatchObject({ items: [{ title: "x" }, { title: "y", description: null }] });
  });

  it("gives every bad field in one reason, with the API's messages", () => {
    expect(toImportRow({ name: "", email: "nope" }, 5)).toEqual({
      line: 5,
      reason: "name: Too small: expected string to have >=1 characters; email: Invalid email address",
    });
    expect(toImportRow({ name: "A", email: "a@b.co", description: "orphan" }, 6)).toEqual({
      line: 6,
      reason: "title: A description needs a title",
    });
    expect(toImportRow({ name: "A", email: "a@b.co", items: [{ title: "" }] }, 7)).toMatchObject({
      reason: "items.0.title: Too small: expected string to have >=1 characters",
    });
  });
});
