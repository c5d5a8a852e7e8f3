import { describe, expect, it } from "vitest";
import { toItemOutput, toUserOutput } from "./serializers.ts";

const created = new Date("2026-01-02T03:04:05.678Z");
const changed = new Date("2026-03-04T05:06:07.890Z");

describe("serializers", () => {
  it("show both timestamps as ISO strings, whether or not the record changed since its creation", () => {
    const item = {
      id: 1,
      title: "Pen",
      description: null,
      ownerId: 1,
      createdAt: created,
      updatedAt: changed,
    };
    expect(toItemOutput(item)).toMatchObject({
      createdAt: "2026-01-02T03:04:05.678Z",
      updatedAt: "2026-03-04T05:06:07.890Z",
    });
    const fresh = { ...item, updatedAt: new Date(created.getTime()) };
    expect(toItemOutput(fresh)).toMatchObject({
      createdAt: created.toISOString(),
      updatedAt: created.toISOString(),
    });
    const user = {
      id: 1,
      name: "Ann",
      email: "ann@example.com",
      role: "user" as const,
      createdAt: created,
      updatedAt: changed,
      version: 2,
    };
    expect(toUserOutput({ ...user, items: [fresh, item] })).toMatchObject({
      createdAt: created.toISOString(),
      updatedAt: changed.toISOString(),
      items: [{ updatedAt: created.toISOString() }, { updatedAt: changed.toISOString() }],
    });
  });
});
