import { createItemInput, createUserInput } from "@app/api/schemas";
import { z } from "zod";

// Rows are checked with the API's own schemas before anything is sent, so a bad row costs no
// request and its reason reads the same as the server's would.

const itemDraft = createItemInput.omit({ userId: true });

/** A flat row, as CSV and simple JSON lines give it: a user and at most one item. */
const flatRow = createUserInput
  .extend({ title: itemDraft.shape.title.optional(), description: itemDraft.shape.description })
  .refine((row) => row.title !== undefined || row.description === undefined || row.description === null, {
    message: "A description needs a title",
    path: ["title"],
  });

/** A nested row, as `export --with-items` writes JSON lines: a user and all its items. */
const nestedRow = createUserInput.extend({ items: z.array(itemDraft) });

/** What one line of the file asks for: a user and the items to add to it. */
export type ImportRow = {
  line: number;
  user: z.output<typeof createUserInput>;
  items: Array<z.output<typeof itemDraft>>;
};

/** A line that cannot be imported, and why. */
export type Rejection = { line: number; reason: string };

/** Checks one record read from the file; the reason lists each bad field like the server does. */
export function toImportRow(record: unknown, line: number): ImportRow | Rejection {
  const nested = typeof record === "object" && record !== null && "items" in record;
  const parsed = nested ? nestedRow.safeParse(record) : flatRow.safeParse(record);
  if (!parsed.success) return { line, reason: describeIssues(parsed.error) };
  const data = parsed.data;
  const user = { name: data.name, email: data.email };
  if ("items" in data) return { line, user, items: data.items };
  const items = data.title === undefined ? [] : [{ title: data.title, description: data.description }];
  return { line, user, items };
}

/** `email: Invalid email address; title: Too big…`: one line a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`).join("; ");
}
