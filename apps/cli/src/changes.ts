import type { Client, RouterOutputs } from "@app/client";

/** One committed change to a user or an item, as `changes.list` and `changes.onChange` answer it. */
export type Change = RouterOutputs["changes"]["list"]["items"][number];

/**
 * A change as one line a person reads: `#42 2026-12-01 10:02:03 item 7 update by user 1: title
 * "Pen" → "Blue pen"`. Times are UTC, as every time the CLI prints. Long values are cut to keep one
 * change a line; `--json` has them whole.
 */
export function formatChange(change: Change): string {
  const when = change.at.slice(0, 19).replace("T", " ");
  // No actor: an anonymous sign-up, or the server itself at start-up (ADMIN_EMAIL).
  const by = change.actorId === null ? "by no one signed in" : `by user ${change.actorId}`;
  const version = change.version === undefined ? "" : ` (version ${change.version})`;
  const fields = Object.entries(change.fields ?? {}).map(
    ([name, [before, after]]) => `${name} ${formatValue(before)} → ${formatValue(after)}`,
  );
  const detail = fields.length > 0 ? `: ${fields.join(", ")}` : "";
  return `#${change.id} ${when} ${change.entity} ${change.entityId} ${change.op} ${by}${version}${detail}`;
}

const longestValue = 60;

/** A field's value as JSON (strings quoted, `null` as such), on one line and at most ~60 characters. */
function formatValue(value: unknown): string {
  if (typeof value === "string" && value.length > longestValue) {
    return JSON.stringify(`${value.slice(0, longestValue - 1)}…`);
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * The id of the newest change the caller can see, 0 when they see none: where `watch` without
 * `--after` starts, so that a connection lost before its first change still resumes without a gap.
 * The API lists changes oldest first only, so this gallops then bisects with one-change pages:
 * about 2·log2(id) requests (some 60 at a billion changes), each an index seek on the server.
 */
export function findNewestChangeId(client: Client): Promise<number> {
  return findNewestId(async (after) => (await client.changes.list.query({ after, limit: 1 })).items[0]?.id);
}

/** The search itself, given the first id after a given one (or undefined when there is none). */
export async function findNewestId(
  firstAfter: (after: number) => Promise<number | undefined>,
): Promise<number> {
  let newest = await firstAfter(0);
  if (newest === undefined) return 0;
  // Gallop: double the step past the newest known id until nothing lies beyond the probe.
  let beyond = newest;
  for (let step = 1; ; step *= 2) {
    const found = await firstAfter(newest + step - 1);
    if (found === undefined) {
      beyond = newest + step - 1;
      break;
    }
    newest = found;
  }
  // Bisect (newest, beyond]: nothing exists past `beyond`; `newest` exists.
  while (newest < beyond) {
    const middle: number = newest + Math.floor((beyond - newest) / 2);
    const found = await firstAfter(middle);
    if (found === undefined) beyond = middle;
    else newest = found;
  }
  return newest;
}
