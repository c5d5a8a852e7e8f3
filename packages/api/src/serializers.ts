import type { ApiTokenView, ChangeView, ItemView, UserView } from "@app/db";
import { toIsoTimestamp } from "./iso-timestamp.ts";
import type { ApiTokenOutput, ChangeOutput, ItemOutput, UserOutput } from "./schemas/index.ts";

/** An item as the API shows it: timestamps as ISO strings. */
export function toItemOutput(item: ItemView): ItemOutput {
  const [createdAt, updatedAt] = isoTimestamps(item);
  return {
    id: item.id,
    title: item.title,
    description: item.description ?? null,
    ownerId: item.ownerId,
    createdAt,
    updatedAt,
  };
}

/** A user as the API shows it; `items` only when the view carries them. */
export function toUserOutput(user: UserView): UserOutput {
  const [createdAt, updatedAt] = isoTimestamps(user);
  const output: UserOutput = {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    createdAt,
    updatedAt,
    version: user.version,
  };
  if (user.items) output.items = user.items.map(toItemOutput);
  return output;
}

/** A change as the API shows it: `version` and `fields` only when it has them. */
export function toChangeOutput(change: ChangeView): ChangeOutput {
  const output: ChangeOutput = {
    id: change.id,
    at: toIsoTimestamp(change.at),
    actorId: change.actorId,
    entity: change.entity,
    entityId: change.entityId,
    ownerId: change.ownerId,
    op: change.op,
  };
  if (change.version !== null) output.version = change.version;
  if (change.fields !== null) output.fields = change.fields;
  return output;
}

/** An API token as its owner sees it: no secret. */
export function toApiTokenOutput(token: ApiTokenView): ApiTokenOutput {
  return {
    id: token.id,
    name: token.name,
    createdAt: toIsoTimestamp(token.createdAt),
    expiresAt: token.expiresAt && toIsoTimestamp(token.expiresAt),
    lastUsedAt: token.lastUsedAt && toIsoTimestamp(token.lastUsedAt),
  };
}

/**
 * Both timestamps as ISO strings. Most records were never changed, so their two timestamps are
 * equal and one conversion serves both (docs/performance.md has what formatting dates cost).
 */
function isoTimestamps(record: { createdAt: Date; updatedAt: Date }): [string, string] {
  const createdAt = toIsoTimestamp(record.createdAt);
  const unchanged = record.updatedAt.getTime() === record.createdAt.getTime();
  return [createdAt, unchanged ? createdAt : toIsoTimestamp(record.updatedAt)];
}
