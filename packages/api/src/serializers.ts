import type { ChangeView } from "@app/db";
import type { ChangeOutput } from "./schemas/index.ts";

/** A change as the API shows it: `version` and `fields` only when it has them. */
export function toChangeOutput(change: ChangeView): ChangeOutput {
  const output: ChangeOutput = {
    id: change.id,
    at: change.at,
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
