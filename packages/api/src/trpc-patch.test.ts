// Holds patches/@trpc__server@11.25.2.patch to its effect. pnpm applies the patch only to that exact
// version: after an upgrade, or an install that skipped it, these fail instead of the server
// silently losing a fifth of its CPU to transpiled spreads (docs/performance.md).
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";

type Spread = (target: object, ...sources: unknown[]) => object;

/** The `_objectSpread2` helper of tRPC's ESM build, from the chunk that exports it to the others. */
async function loadSpreadHelper(): Promise<Spread> {
  const dist = dirname(createRequire(import.meta.url).resolve("@trpc/server"));
  for (const file of readdirSync(dist).filter((name) => name.endsWith(".mjs"))) {
    const alias = /\b_objectSpread2 as (\w+)\b/.exec(readFileSync(join(dist, file), "utf8"))?.[1];
    if (alias) return (await import(pathToFileURL(join(dist, file)).href))[alias];
  }
  throw new Error(`no chunk of ${dist} exports _objectSpread2: redo or drop the patch (patches/README.md)`);
}

/**
 * Runs `fn` while counting the copies the transpiled spreads make, patched (`Object.assign`) or
 * not (`Object.defineProperties`). Nothing else runs meanwhile: vitest's own `expect` uses them too.
 */
async function recordCopies<T>(fn: () => Promise<T>): Promise<{ value: T; copies: string[] }> {
  const copies: string[] = [];
  const { assign, defineProperties } = Object;
  Object.assign = (...args: Parameters<typeof assign>) => {
    copies.push("Object.assign");
    return assign(...args);
  };
  Object.defineProperties = ((target: object, properties: PropertyDescriptorMap) => {
    copies.push("Object.defineProperties");
    return defineProperties(target, properties);
  }) as typeof defineProperties;
  try {
    return { value: await fn(), copies };
  } finally {
    Object.assign = assign;
    Object.defineProperties = defineProperties;
  }
}

const t = initTRPC.context<{ requestId: string }>().create();
// A function is a validator to tRPC: input and output are checked without a library in the way.
const passThrough = (value: unknown) => value as { id: number };
const probe = t.router({
  byId: t.procedure
    .use(({ next }) => next({ ctx: { user: "ada" } }))
    .input(passThrough)
    .output(passThrough)
    .query(({ ctx, input }) => ({ id: input.id, user: ctx.user, requestId: ctx.requestId })),
});

describe("the tRPC patch", () => {
  it("makes tRPC's spread helper copy as a native spread does: values, never accessors", async () => {
    const spread = await loadSpreadHelper();
    const source = {
      get computed() {
        return 42;
      },
    };
    // tRPC calls the helper as `_objectSpread2(_objectSpread2({}, a), {}, b)`: the published one
    // copied b's property descriptors, getters included.
    const copy = spread(spread({}, { plain: 1 }), {}, source);
    expect(Object.getOwnPropertyDescriptor(copy, "computed")).toEqual({
      value: 42,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(copy).toEqual({ plain: 1, computed: 42 });
  });

  it("keeps an own __proto__ key a plain key, as a native spread does", async () => {
    const spread = await loadSpreadHelper();
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "id": 1}');
    const copy = spread({}, parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect(copy).toMatchObject({ id: 1 });
  });

  it("runs a call's middleware chain on native spreads: no Object.assign or defineProperties per call", async () => {
    const caller = t.createCallerFactory(probe)({ requestId: "r1" });
    await caller.byId({ id: 1 }); // anything lazy happens on the first call

    const { value, copies } = await recordCopies(() => caller.byId({ id: 7 }));

    expect(value).toEqual({ id: 7, user: "ada", requestId: "r1" });
    // Unpatched, each middleware level (three here) ran Object.defineProperties twice.
    expect(copies).toEqual([]);
  });
});
