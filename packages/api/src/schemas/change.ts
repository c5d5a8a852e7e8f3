import { z } from "zod";
import { id, integerBetween, limit, maxDatabaseInt, pageOf, timestamp } from "./common.ts";
import { userVersion } from "./user.ts";

/** A change id to start after: 0 (or nothing) for the beginning of the history. */
const after = integerBetween(0, maxDatabaseInt).nullish();

/**
 * The id of the last change received, as an event stream's `Last-Event-ID` (text): digits for a
 * change id that any database stores. `abort` keeps "x1" from also being called too big.
 */
const lastEventId = z
  .string()
  .regex(/^\d+$/, { message: "Must be a change id (digits only)", abort: true })
  .refine((digits) => Number(digits) <= maxDatabaseInt, { message: `Must be at most ${maxDatabaseInt}` });

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
  version: userVersion.optional(),
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
    lastEventId: lastEventId.nullish(),
  })
  .prefault({});
export type OnChangeInput = z.input<typeof onChangeInput>;
