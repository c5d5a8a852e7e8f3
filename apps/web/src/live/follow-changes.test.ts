import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeApi } from "../test/fake-api.ts";
import { type FollowOptions, followChanges } from "./follow-changes.ts";
import type { Change } from "./types.ts";

function change(id: number): Change {
  return {
    id,
    at: "2025-01-01T00:00:00.000Z",
    actorId: 1,
    entity: "item",
    entityId: 100 + id,
    ownerId: 1,
    op: "create",
  };
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Follows the fake API's stream, recording what it hands over and each wait before resubscribing. */
function follow(options: Partial<FollowOptions> = {}) {
  const { client, live } = createFakeApi({});
  const batches: number[][] = [];
  const waits: number[] = [];
  const ends: string[] = [];
  // For each stream that said it follows from now: how many streams had been opened then.
  const fromNow: number[] = [];
  const follower = followChanges({
    client,
    after: undefined,
    onChanges: (changes) => batches.push(changes.map((c) => c.id)),
    onUnauthorized: () => ends.push("unauthorized"),
    onFollowingFromNow: () => fromNow.push(live.streams.length),
    onDemoted: async () => {
      ends.push("demoted");
    },
    retryDelayMs: (attempt) => {
      waits.push(attempt);
      return 0;
    },
    ...options,
  });
  stops.push(follower.stop);
  return { live, follower, batches, waits, ends, fromNow };
}

describe("followChanges", () => {
  it("subscribes from now, and hands over a burst as one batch, in order, each change once", async () => {
    const { live, batches, follower, fromNow } = follow();
    const stream = await vi.waitFor(() => live.stream());
    expect(stream.input).toEqual({});
    // Once the server has it following: what was loaded before may be behind.
    await vi.waitFor(() => expect(fromNow).toEqual([1]));
    stream.send(change(1));
    stream.send(change(2));
    stream.send(change(2));
    stream.send(change(3));
    await vi.waitFor(() => expect(batches).toEqual([[1, 2, 3]]));
    stream.send(change(4));
    await vi.waitFor(() => expect(batches).toEqual([[1, 2, 3], [4]]));
    expect(follower.lastId()).toBe(4);
  });

  it("resumes after the last change received when the stream is cut off or lost, waiting longer each time", async () => {
    // A long batch window: only the end of the stream hands the change over.
    const { live, batches, waits, fromNow } = follow({ batchMs: 10_000 });
    const first = await vi.waitFor(() => live.stream());
    await vi.waitFor(() => expect(fromNow).toEqual([1]));
    first.send(change(7));
    first.fail("TOO_MANY_REQUESTS", "This stream fell too far behind and was cut off: resubscribe after 7");
    // What arrived before the end is handed over then, not lost with the stream.
    await vi.waitFor(() => expect(batches).toEqual([[7]]));

    const second = await vi.waitFor(() => live.stream());
    expect(second).not.toBe(first);
    expect(second.input).toEqual({ after: 7 });
    second.drop();
    const third = await vi.waitFor(() => {
      expect(live.streams).toHaveLength(3);
      return live.stream();
    });
    expect(third.input).toEqual({ after: 7 });
    // The second and third attempts in a row wait longer: attempt 0, then 1.
    expect(waits).toEqual([0, 1]);
    // Resumed streams have their place: nothing to reload.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fromNow).toEqual([1]);
    expect(first.open).toBe(false);
    expect(second.open).toBe(false);
  });

  it("ends at UNAUTHORIZED, resubscribing no more", async () => {
    const { live, ends } = follow();
    const stream = await vi.waitFor(() => live.stream());
    stream.fail("UNAUTHORIZED", "Your session has ended: sign in again");
    await vi.waitFor(() => expect(ends).toEqual(["unauthorized"]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(live.streams).toHaveLength(1);
    expect(stream.open).toBe(false);
  });

  it("follows on from now when its place was pruned, and says so once that stream has started", async () => {
    const { live, follower, fromNow } = follow({ after: 3 });
    const stream = await vi.waitFor(() => live.stream());
    expect(stream.input).toEqual({ after: 3 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fromNow).toEqual([]);
    stream.fail("PRECONDITION_FAILED", "Changes up to 40 were pruned: reload, then subscribe without after");
    const next = await vi.waitFor(() => {
      expect(live.streams).toHaveLength(2);
      return live.stream();
    });
    expect(next.input).toEqual({});
    expect(follower.lastId()).toBeUndefined();
    await vi.waitFor(() => expect(fromNow).toEqual([2]));
  });

  it("follows on from now when the server has no change with its last id (BAD_REQUEST on resume)", async () => {
    const { live, follower, fromNow } = follow({ after: 900 });
    const stream = await vi.waitFor(() => live.stream());
    expect(stream.input).toEqual({ after: 900 });
    stream.fail("BAD_REQUEST", "There is no change 900 yet (the last is 12): resume from an id you received");
    await vi.waitFor(() => expect(fromNow).toEqual([2]));
    const next = await vi.waitFor(() => {
      expect(live.streams).toHaveLength(2);
      return live.stream();
    });
    expect(next.input).toEqual({});
    expect(follower.lastId()).toBeUndefined();
  });

  it("when demoted (FORBIDDEN), resubscribes after the last change once onDemoted is done", async () => {
    let done = () => {};
    const { live, ends } = follow({
      onDemoted: () => {
        ends.push("demoted");
        return new Promise<void>((resolve) => {
          done = resolve;
        });
      },
    });
    const stream = await vi.waitFor(() => live.stream());
    stream.send(change(5));
    stream.fail(
      "FORBIDDEN",
      "Your account is no longer an admin: resubscribe (after 5) to follow your own changes",
    );
    await vi.waitFor(() => expect(ends).toEqual(["demoted"]));
    // Not before the session has learnt the new role.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(live.streams).toHaveLength(1);
    done();
    const next = await vi.waitFor(() => {
      expect(live.streams).toHaveLength(2);
      return live.stream();
    });
    expect(next.input).toEqual({ after: 5 });
  });

  it("on stop, closes the stream and hands over what had arrived", async () => {
    const { live, batches, follower } = follow({ batchMs: 10_000 });
    const stream = await vi.waitFor(() => live.stream());
    stream.send(change(1));
    await vi.waitFor(() => expect(follower.lastId()).toBe(1));
    expect(batches).toEqual([]);
    follower.stop();
    expect(batches).toEqual([[1]]);
    expect(stream.open).toBe(false);
  });
});
