import { z } from "zod";
import { id, limit, pageOf, timestamp } from "./common.ts";

/** A change id to start after: 0 (or nothing) for the beginning of the history. */
const after = z.int().min(0).nullish();

export const changeEntity = z.enum(["user", "item"]);
export const changeOp = z.enum(["create", "update", "delete"]);

/**
 * One committed change to one user or item. `id` increases with commit order; `actorId` is who
 * made it (null: an anonymous sign-up, or the server at start-up); `fields`, for an update, holds
 * each changed field as `[before, after]`. Nothing secret ever appears here.
 */
export const changeOutput = z.object({
  id,
  at: timestamp,
  actorId: id.nullable(),
  entity: changeEntity,
  entityId: id,
  /** Whose account the record belongs to (the user itself, or the item's owner). */
  ownerId: id,
  op: changeOp,
  version: z.int().positive().optional(),
  fields: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).optional(),
});
export type ChangeOutput = z.infer<typeof changeOutput>;

export const listChangesInput = z
  .object({
    /** Changes after this id (the previous page's `nextCursor`, or the last id seen). */
    after,
    entity: changeEntity.optional(),
    entityId: id.optional(),
    /** Only the changes to this account's records (yours, unless you are an admin). */
    ownerId: id.optional(),
    limit,
  })
  .prefault({});
export type ListChangesInput = z.input<typeof listChangesInput>;

export const changePage = pageOf(changeOutput);

/**
 * Follow changes live from `after` (or from now). tRPC's subscription link adds `lastEventId`
 * when it reconnects: the id of the last change it received, which wins over `after`.
 */
export const onChangeInput = z
  .object({
    after,
    lastEventId: z
      .string()
      .regex(/^\d{1,15}$/)
      .nullish(),
  })
  .prefault({});
export type OnChangeInput = z.input<typeof onChangeInput>;
