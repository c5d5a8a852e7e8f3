import { describe, expect, it, vi } from "vitest";
import { createTestApi } from "../test/harness.ts";
import { createContext } from "./context.ts";
import { t } from "./init.ts";
import { createCallerFactory, router } from "./trpc.ts";
import { unitOfWork } from "./unit-of-work.ts";

// The unit of work alone: the app's `procedure` also authorizes, and refuses paths it has no rule for.
const procedure = t.procedure.use(unitOfWork);
const probe = router({
  untouched: procedure.query(() => "no EntityManager asked for"),
  asksTwice: procedure.query(({ ctx }) => {
    const first = ctx.em();
    return first === ctx.em();
  }),
  em: procedure.query(({ ctx }) => ctx.em()),
  inTransaction: procedure.mutation(({ ctx }) => ctx.em().isInTransaction()),
});

describe("unit of work", () => {
  it("forks for a call on its first ctx.em(), once, and never for a call that does not ask", async () => {
    await using api = await createTestApi();
    const forks = vi.spyOn(api.orm.em, "fork");
    const caller = createCallerFactory(probe)(createContext({ orm: api.orm }));

    await caller.untouched();
    expect(forks).toHaveBeenCalledTimes(0);
    expect(await caller.asksTwice()).toBe(true);
    expect(forks).toHaveBeenCalledTimes(1);

    const [first, second] = await Promise.all([caller.em(), caller.em()]);
    expect(first).not.toBe(second);
    expect(first).not.toBe(api.orm.em);
    expect(forks).toHaveBeenCalledTimes(3);
  });

  it("gives a mutation the EntityManager of its transaction", async () => {
    await using api = await createTestApi();
    const caller = createCallerFactory(probe)(createContext({ orm: api.orm }));
    expect(await caller.inTransaction()).toBe(true);
  });
});
