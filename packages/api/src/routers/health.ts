import { z } from "zod";
import { procedure } from "../trpc.ts";

export const healthOutput = z.object({ status: z.literal("ok"), db: z.literal("ok") });

/** Answers only when the database answers too: a failing check is a 500, not a lie. */
export const health = procedure.output(healthOutput).query(async ({ ctx }) => {
  await ctx.em().execute("select 1");
  return { status: "ok" as const, db: "ok" as const };
});
