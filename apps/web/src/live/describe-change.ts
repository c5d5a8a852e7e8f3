import type { HistoryEntry } from "./history-cache.ts";

/** A value as a history line quotes it: cut short when long. */
function quote(value: unknown): string {
  const text = typeof value === "string" ? value.replace(/\s+/g, " ") : String(value);
  return `“${text.length > 60 ? `${text.slice(0, 59)}…` : text}”`;
}

/** "Name changed from “A” to “B”" and "role changed from …", as one sentence. */
function joinParts(parts: string[]): string {
  const [first = "", ...rest] = parts;
  const lowered = rest.map((part) => part.charAt(0).toLowerCase() + part.slice(1));
  if (lowered.length === 0) return first;
  return `${[first, ...lowered.slice(0, -1)].join(", ")} and ${lowered.at(-1)}`;
}

function itemName(title: string | undefined, id: number): string {
  return title === undefined ? `item ${id}` : quote(title);
}

/**
 * What a change did, as the start of a sentence ("Title changed from “A” to “B”"); the page adds
 * who and when. `title`: the item's title at the time, when known.
 */
export function describeChange(change: HistoryEntry, title: string | undefined): string {
  const fields = change.fields ?? {};
  if (change.entity === "user") {
    if (change.op === "create") return "Account created";
    if (change.op === "delete") return "Account deleted";
    const parts: string[] = [];
    for (const [field, label] of [
      ["name", "Name"],
      ["email", "Email"],
      ["role", "Role"],
    ] as const) {
      const pair = fields[field];
      if (pair) parts.push(`${label} changed from ${quote(pair[0])} to ${quote(pair[1])}`);
    }
    // A password is never part of a change, and an update that changes nothing is not recorded:
    // an update with no visible field set a new password.
    return parts.length > 0 ? joinParts(parts) : "Password changed";
  }

  const subject = title === undefined ? `Item ${change.entityId}` : `Item ${quote(title)}`;
  if (change.op === "create") return `${subject} added`;
  if (change.op === "delete") return `${subject} deleted`;
  const parts: string[] = [];
  const titles = fields.title;
  if (titles) parts.push(`Title changed from ${quote(titles[0])} to ${quote(titles[1])}`);
  const descriptions = fields.description;
  if (descriptions) {
    const of = itemName(title, change.entityId);
    const [before, after] = descriptions;
    if (after === null) parts.push(`Description of ${of} removed`);
    else if (before === null) parts.push(`Description of ${of} set to ${quote(after)}`);
    else parts.push(`Description of ${of} changed from ${quote(before)} to ${quote(after)}`);
  }
  return parts.length > 0 ? joinParts(parts) : `${subject} saved unchanged`;
}

/**
 * Each item change's item title at the time it was made: from the title changes around it (the
 * title after the last one before it, else before the first one after it), else its title now,
 * else the one remembered when it arrived live.
 */
export function itemTitlesAt(
  history: readonly HistoryEntry[],
  currentTitles: ReadonlyMap<number, string>,
): Map<number, string> {
  const byItem = new Map<number, HistoryEntry[]>();
  for (const change of history) {
    if (change.entity !== "item") continue;
    byItem.set(change.entityId, [...(byItem.get(change.entityId) ?? []), change]);
  }
  const titles = new Map<number, string>();
  for (const [itemId, changes] of byItem) {
    const remembered = changes.find((change) => change.itemTitle !== undefined)?.itemTitle;
    const retitled = changes.filter((change) => change.fields?.title);
    for (const change of changes) {
      const before = retitled.filter((other) => other.id <= change.id).at(-1)?.fields?.title?.[1];
      const after = retitled.find((other) => other.id > change.id)?.fields?.title?.[0];
      const title = [before, after, currentTitles.get(itemId), change.itemTitle, remembered].find(
        (candidate) => typeof candidate === "string",
      );
      if (typeof title === "string") titles.set(change.id, title);
    }
  }
  return titles;
}
