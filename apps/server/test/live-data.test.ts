import { changeFeedOf, createCaller, createContext } from "@app/api";
import type { ChangeOutput } from "@app/api/schemas";
import { type Client, createClient, isClientError } from "@app/client";
import { createScratchDatabase, describeEachDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { lockChangeHead } from "./support/change-head-lock.ts";
import { expectClientError, startTestServer, testAdmin } from "./support/harness.ts";
import { adminEnv, startServerProcess } from "./support/server-process.ts";

const timeout = 60_000;

type Event = { id: string; data: ChangeOutput };

/** Follows `changes.onChange` and keeps what arrives; `until` waits for a condition on it. */
function follow(client: Client, input: { after?: number } = {}) {
  const events: Event[] = [];
  let failure: unknown;
  let started = false;
  const subscription = client.changes.onChange.subscribe(input, {
    onStarted: () => {
      started = true;
    },
    onData: (event) => events.push(event),
    onError: (error) => {
      failure = error;
    },
  });
  const until = async (done: () => boolean, what: string, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${events.length} events`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    events,
    ids: () => events.map((event) => Number(event.id)),
    get failure() {
      return failure;
    },
    started: () => until(() => started, "the subscription to start"),
    hasStarted: () => started,
    until,
    stop: () => subscription.unsubscribe(),
  };
}

/** The id of the last change (0 for none): the `after` of a subscription that misses nothing from now. */
async function lastChangeId(client: Client): Promise<number> {
  let last = 0;
  for (let after: number | null = 0; after !== null; ) {
    const page = await client.changes.list.query({ after, limit: 100 });
    last = page.items.at(-1)?.id ?? last;
    after = page.nextCursor;
  }
  return last;
}

await describeEachDatabase("live data", (dialect) => {
  it("records one change per record a call touched, with who and what, and nothing for a failed call", async () => {
    await using server = await startTestServer({}, dialect);
    const admin = server.admin.id;
    const before = (await server.client.changes.list.query({})).items.length;
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    const cup = await server.client.items.create.mutate({ userId: ann.id, title: "Cup" });
    await server.client.items.update.mutate({ id: pen.id, title: "Blue pen", description: "fine" });
    await server.client.users.update.mutate({ id: ann.id, name: "Ann Lee", password: "a new password" });
    // Failures record nothing: a taken email, a stale version, a missing item.
    await expectClientError(
      server.client.users.create.mutate({ name: "A", email: "ANN@example.com" }),
      "CONFLICT",
    );
    await expectClientError(
      server.client.users.update.mutate({ id: ann.id, name: "X", version: 1 }),
      "CONFLICT",
    );
    await expectClientError(server.client.items.delete.mutate({ id: 999_999 }), "NOT_FOUND");
    await server.client.users.delete.mutate({ id: ann.id });

    const { items } = await server.client.changes.list.query({ after: before, limit: 100 });
    const summary = items.map(({ entity, entityId, op, version, fields, actorId }) => ({
      entity,
      entityId,
      op,
      version,
      fields,
      actorId,
    }));
    expect(summary).toEqual([
      { entity: "user", entityId: ann.id, op: "create", version: 1, fields: undefined, actorId: admin },
      {
        entity: "item",
        entityId: pen.id,
        op: "create",
        version: undefined,
        fields: undefined,
        actorId: admin,
      },
      {
        entity: "item",
        entityId: cup.id,
        op: "create",
        version: undefined,
        fields: undefined,
        actorId: admin,
      },
      {
        entity: "item",
        entityId: pen.id,
        op: "update",
        version: undefined,
        fields: { title: ["Pen", "Blue pen"], description: [null, "fine"] },
        actorId: admin,
      },
      // The password is never part of a change: only the name shows, and the version moves on.
      {
        entity: "user",
        entityId: ann.id,
        op: "update",
        version: 2,
        fields: { name: ["Ann", "Ann Lee"] },
        actorId: admin,
      },
      {
        entity: "user",
        entityId: ann.id,
        op: "delete",
        version: undefined,
        fields: undefined,
        actorId: admin,
      },
      {
        entity: "item",
        entityId: pen.id,
        op: "delete",
        version: undefined,
        fields: undefined,
        actorId: admin,
      },
      {
        entity: "item",
        entityId: cup.id,
        op: "delete",
        version: undefined,
        fields: undefined,
        actorId: admin,
      },
    ]);
    const ids = items.map((change) => change.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const raw = JSON.stringify(await server.orm.em.fork().execute("select * from changes"));
    expect(raw).not.toContain("argon2");
    expect(raw).not.toContain("a new password");
  });

  it("shows a user the history of their own account and items only; an admin all of it", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann");
    const bob = await server.signUp("Bob");
    const pen = await ann.client.items.create.mutate({ title: "Pen" });
    await bob.client.items.create.mutate({ title: "Cup" });
    await ann.client.items.update.mutate({ id: pen.id, title: "Blue pen" });

    const anns = (await ann.client.changes.list.query({})).items;
    expect(anns.map((c) => [c.entity, c.op])).toEqual([
      ["user", "create"],
      ["item", "create"],
      ["item", "update"],
    ]);
    expect(anns[0]?.actorId).toBeNull(); // an anonymous sign-up
    expect(anns[1]?.actorId).toBe(ann.user.id);
    const itemHistory = await ann.client.changes.list.query({ entity: "item", entityId: pen.id });
    expect(itemHistory.items.map((c) => c.op)).toEqual(["create", "update"]);
    const bobsView = await bob.client.changes.list.query({ entity: "item", entityId: pen.id });
    expect(bobsView.items).toEqual([]);
    const all = await server.client.changes.list.query({ limit: 100 });
    expect(new Set(all.items.map((c) => c.entityId)).size).toBeGreaterThan(2);
    const paged = await server.client.changes.list.query({ limit: 2 });
    expect(paged.items).toHaveLength(2);
    expect(paged.nextCursor).toBe(paged.items[1]?.id);
  });

  it("delivers a change to a subscriber as it commits, and only what the subscriber may see", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann");
    const bob = await server.signUp("Bob");
    const annFollows = follow(ann.client);
    const adminFollows = follow(server.client);
    await Promise.all([annFollows.started(), adminFollows.started()]);
    const pen = await ann.client.items.create.mutate({ title: "Pen" });
    await bob.client.items.create.mutate({ title: "Cup" });
    await adminFollows.until(() => adminFollows.events.length >= 2, "both items");
    expect(adminFollows.events.map((e) => e.data.entity)).toEqual(["item", "item"]);
    await annFollows.until(() => annFollows.events.length >= 1, "Ann's item");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(annFollows.events.map((e) => e.data.entityId)).toEqual([pen.id]);
    expect(annFollows.events[0]?.id).toBe(String(annFollows.events[0]?.data.id));
    annFollows.stop();
    adminFollows.stop();
  });

  it("ends the stream of a session that signs out", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann");
    const follows = follow(ann.client);
    await follows.started();
    await createClient({ url: server.url, token: ann.token }).auth.signOut.mutate();
    await follows.until(() => follows.failure !== undefined, "the stream to end", 5_000);
    expect(isClientError(follows.failure) && follows.failure.data?.code).toBe("UNAUTHORIZED");
    follows.stop();
  });

  // Its 600 creates take seconds on a loaded machine (past vitest's 5 s default in one run).
  it("ends a stream still catching up on history once its session signs out, not after the history", {
    timeout,
  }, async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.signUp("Ann");
    // More history than one catch-up page (500): the stream is mid-history when the session ends.
    for (let i = 0; i < 6; i++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => ann.client.items.create.mutate({ title: `Pen ${i}-${j}` })),
      );
    }
    // A client that reads slowly: one event, then it pauses while its session ends elsewhere.
    const context = createContext({
      orm: server.orm,
      request: {
        credential: { token: ann.token, from: "header" },
        ip: "test",
        foreignOrigin: false,
        secure: false,
        setHeader: () => {},
      },
    });
    const events = (await createCaller(context).changes.onChange({ after: 0 }))[Symbol.asyncIterator]();
    expect((await events.next()).done).toBe(false);
    await createClient({ url: server.url, token: ann.token }).auth.signOut.mutate();
    const feed = changeFeedOf(server.orm);
    for (const deadline = Date.now() + 5_000; feed.subscriberCount > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    let deliveredAfterSignOut = 0;
    let failure: unknown;
    try {
      for (let step = await events.next(); !step.done; step = await events.next()) deliveredAfterSignOut++;
    } catch (error) {
      failure = error;
    }
    // At most what was already read and handed over before the cut-off was seen: not 500 more.
    expect(deliveredAfterSignOut).toBeLessThan(5);
    expect(failure).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("ends an admin's stream when the account is demoted, since it saw everyone's changes", async () => {
    await using server = await startTestServer({}, dialect);
    const bea = await server.signUp("Bea");
    await server.client.users.update.mutate({ id: bea.user.id, role: "admin" });
    const follows = follow(bea.client);
    await follows.started();
    await server.client.users.update.mutate({ id: bea.user.id, role: "user" });
    await follows.until(() => follows.failure !== undefined, "the stream to end");
    expect(isClientError(follows.failure) && follows.failure.data?.code).toBe("FORBIDDEN");
    follows.stop();
  });

  it("keeps serving streams that open while the feed checks sessions (none ends as signed out)", {
    timeout,
  }, async () => {
    await using server = await startTestServer({ CHANGES_POLL_MS: "20" }, dialect);
    const writer = setInterval(
      () => void server.client.items.create.mutate({ title: "Tick" }).catch(() => {}),
      20,
    );
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => server.signUp(`Racer${i}`)));
    const streams = users.flatMap((user) => [follow(user.client), follow(user.client)]);
    await Promise.all(streams.map((stream) => stream.started()));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    clearInterval(writer);
    expect(streams.map((stream) => stream.failure)).toEqual(streams.map(() => undefined));
    for (const stream of streams) stream.stop();
  });

  it("starts a stream without `after` from now, even after the feed sat idle while changes piled up", async () => {
    await using server = await startTestServer({}, dialect);
    const first = follow(server.client);
    await first.started();
    first.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 30; i++) await server.client.items.create.mutate({ title: `Meanwhile ${i}` });
    const later = follow(server.client);
    await later.started();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(later.events).toEqual([]);
    const fresh = await server.client.items.create.mutate({ title: "Now" });
    await later.until(() => later.events.length === 1, "the new change");
    expect(later.events[0]?.data.entityId).toBe(fresh.id);
    later.stop();
  });

  it("refuses a resume point beyond the last change", async () => {
    await using server = await startTestServer({}, dialect);
    const follows = follow(server.client, { after: 999_999 });
    await follows.until(() => follows.failure !== undefined, "the refusal");
    expect(isClientError(follows.failure) && follows.failure.data?.code).toBe("BAD_REQUEST");
    follows.stop();
  });

  it("records nothing for an update that changes nothing", async () => {
    await using server = await startTestServer({}, dialect);
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    const before = (await server.client.changes.list.query({ limit: 100 })).items.length;
    await server.client.users.update.mutate({ id: ann.id, name: "Ann" });
    await server.client.items.update.mutate({ id: pen.id, title: "Pen" });
    expect((await server.client.changes.list.query({ limit: 100 })).items.length).toBe(before);
  });

  it("resumes after a pruned id with a clear error, not a silent gap", async () => {
    await using server = await startTestServer({}, dialect);
    await server.client.items.create.mutate({ title: "Pen" });
    const em = server.orm.em.fork();
    await em.execute("delete from changes");
    await em.execute("update change_head set pruned_through = last_id");
    const follows = follow(server.client, { after: 1 });
    await follows.until(() => follows.failure !== undefined, "the refusal");
    expect(isClientError(follows.failure) && follows.failure.data?.code).toBe("PRECONDITION_FAILED");
    expect(isClientError(follows.failure) && follows.failure.message).toMatch(/pruned.*reload/);
    follows.stop();
  });

  it("prunes changes older than CHANGES_RETENTION_DAYS by itself", async () => {
    await using server = await startTestServer({ CHANGES_RETENTION_DAYS: "1" }, dialect);
    await server.client.items.create.mutate({ title: "Old" });
    const em = server.orm.em.fork();
    const old = new Date(Date.now() - 2 * 86_400_000);
    await em.execute("update changes set at = ?", [dialect === "sqlite" ? old.getTime() : old]);
    await server.client.items.create.mutate({ title: "New" });
    const deadline = Date.now() + 5_000;
    let left = (await server.client.changes.list.query({ limit: 100 })).items;
    while (left.length !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = (await server.client.changes.list.query({ limit: 100 })).items;
    }
    expect(left.map((c) => c.op)).toEqual(["create"]);
    const [head] =
      await em.execute<{ pruned_through: number; last_id: number }[]>("select * from change_head");
    expect(Number(head?.pruned_through)).toBe(Number(head?.last_id) - 1);
  });

  it("cuts off a subscriber that falls behind, and keeps no buffer for it", async () => {
    await using server = await startTestServer({ CHANGES_SUBSCRIBER_BUFFER: "10" }, dialect);
    const feed = changeFeedOf(server.orm);
    const { subscriber } = await feed.subscribe({ ownerId: undefined, credential: undefined });
    expect(feed.subscriberCount).toBe(1);
    // It never reads; twenty changes commit.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.client.items.create.mutate({ title: `Item ${i}` })),
    );
    const deadline = Date.now() + 5_000;
    while (subscriber.cutOffReason === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(subscriber.cutOffReason).toBe("too-slow");
    expect(feed.subscriberCount).toBe(0);
    expect(await subscriber.next(undefined)).toEqual([]);
  });

  it(
    "reaches subscribers on another server within a second, and resumes there from the last id",
    async () => {
      await using database = await createScratchDatabase(dialect);
      const env = { DATABASE_URL: database.url, ...adminEnv };
      await using one = await startServerProcess(env);
      await using two = await startServerProcess(env);
      const { token } = await createClient({ url: one.url }).auth.signIn.mutate(testAdmin);
      const onOne = createClient({ url: one.url, token });
      const onTwo = createClient({ url: two.url, token });
      // From the last change: a subscription registers with its server's feed just after it has
      // started (tRPC's `connected`), and one without `after` follows from then (live-data.md).
      const follows = follow(onTwo, { after: await lastChangeId(onOne) });
      await follows.started();
      const started = Date.now();
      await onOne.items.create.mutate({ title: "From one" });
      await follows.until(() => follows.events.length === 1, "the change from server one", 1_000);
      const latency = Date.now() - started;
      expect(latency).toBeLessThan(1_000);
      follows.stop();
      const last = follows.ids()[0] ?? 0;
      // Missed while away: three more changes, through server two; resumed on server one.
      for (const title of ["A", "B", "C"]) await onTwo.items.create.mutate({ title });
      const resumed = follow(onOne, { after: last });
      await resumed.until(() => resumed.events.length >= 3, "the missed changes");
      await onOne.items.create.mutate({ title: "D" });
      await resumed.until(() => resumed.events.length >= 4, "the live one");
      expect(resumed.ids()).toEqual([last + 1, last + 2, last + 3, last + 4]);
      resumed.stop();
    },
    timeout,
  );

  it(
    "delivers every committed change exactly once, in id order, to subscribers on two servers under racing writers",
    async () => {
      await using database = await createScratchDatabase(dialect);
      const env = { DATABASE_URL: database.url, ...adminEnv, CHANGES_POLL_MS: "50" };
      await using one = await startServerProcess(env);
      await using two = await startServerProcess(env);
      const { token } = await createClient({ url: one.url }).auth.signIn.mutate(testAdmin);
      const clients = [one.url, two.url].map((url) => createClient({ url, token, maxBatchSize: 1 }));
      const baseline = await lastChangeId(createClient({ url: one.url, token }));
      // From the baseline, so that each has every change even if it registers after the first commit.
      const followers = clients.flatMap((client) => [
        follow(client, { after: baseline }),
        follow(client, { after: baseline }),
      ]);
      await Promise.all(followers.map((f) => f.started()));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 120 }, (_, i) => {
          const client = clients[i % 2] ?? clients[0];
          if (!client) throw new Error("no client");
          return i % 3 === 0
            ? client.users.create.mutate({ name: `Racer ${i}`, email: `racer${i}@example.com` })
            : client.items.create.mutate({ title: `Item ${i}` });
        }),
      );
      const committed = outcomes.filter((o) => o.status === "fulfilled").length;
      expect(committed).toBeGreaterThan(100);
      const history: number[] = [];
      for (let after = baseline; ; ) {
        const page = await clients[0]?.changes.list.query({ after, limit: 100 });
        if (!page) break;
        history.push(...page.items.map((c) => c.id));
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
      expect(history).toHaveLength(committed);
      for (const follower of followers) {
        await follower.until(() => follower.events.length >= committed, "every change", 10_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(follower.ids()).toEqual(history);
        follower.stop();
      }
    },
    timeout,
  );
});

it("ends open subscriptions when the server shuts down, so it stops at once", async () => {
  const server = await startTestServer();
  const follows = follow(server.client);
  await follows.started();
  const started = Date.now();
  await server[Symbol.asyncDispose]();
  expect(Date.now() - started).toBeLessThan(3_000);
  follows.stop();
});

// PostgreSQL alone has a wake-up of its own, and a lock that stops a read; skipped, with the reason
// printed, where it is not reachable.
const postgresql = (await testedDialects()).find((tested) => tested.dialect === "postgresql");
if (postgresql) {
  (postgresql.skip ? describe.skip : describe)("live data [postgresql start]", () => {
    it("starts a subscription (tRPC's connected) once it follows the feed, so a change just after reaches it", async () => {
      await using server = await startTestServer({}, "postgresql");
      // Another connection holds the change head, which a feed without subscribers reads first.
      await using lock = await lockChangeHead(server.config.DATABASE_URL);
      const follows = follow(server.client);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(follows.hasStarted(), "started before it could follow the feed").toBe(false);
      await lock.release();
      await follows.started();
      // Committed right after the start, without `after`: it reaches the subscription.
      const item = await server.client.items.create.mutate({ title: "Right after" });
      await follows.until(() => follows.events.length === 1, "the change made just after the start");
      expect(follows.events[0]?.data).toMatchObject({ entity: "item", entityId: item.id, op: "create" });
      follows.stop();
    });
  });

  (postgresql.skip ? describe.skip : describe)("live data [postgresql wake-up]", () => {
    it(
      "wakes the other server through LISTEN/NOTIFY, without waiting for its timer",
      async () => {
        await using database = await createScratchDatabase("postgresql");
        // A timer that never fires within the test: only the NOTIFY can wake server two.
        const env = { DATABASE_URL: database.url, ...adminEnv, CHANGES_POLL_MS: "60000" };
        await using one = await startServerProcess(env);
        await using two = await startServerProcess(env);
        const { token } = await createClient({ url: one.url }).auth.signIn.mutate(testAdmin);
        const follows = follow(createClient({ url: two.url, token }));
        await follows.started();
        await new Promise((resolve) => setTimeout(resolve, 300)); // its LISTEN connection opens
        const started = Date.now();
        await createClient({ url: one.url, token }).items.create.mutate({ title: "Notified" });
        await follows.until(() => follows.events.length === 1, "the notified change", 1_000);
        expect(Date.now() - started).toBeLessThan(1_000);
        follows.stop();
      },
      timeout,
    );
  });
}

it("stops promptly on SIGTERM even with a subscriber that stopped reading", { timeout }, async () => {
  await using database = await createScratchDatabase("sqlite");
  // A buffer large enough that the feed never cuts the stalled reader off by itself.
  await using server = await startServerProcess({
    DATABASE_URL: database.url,
    ...adminEnv,
    CHANGES_SUBSCRIBER_BUFFER: "100000",
  });
  const { token } = await createClient({ url: server.url }).auth.signIn.mutate(testAdmin);
  const client = createClient({ url: server.url, token });
  // A reader that takes the response's first bytes, then never reads again.
  const { request } = await import("node:http");
  const stalled = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
    const url = new URL(`${server.url}/trpc/changes.onChange?input=${encodeURIComponent("{}")}`);
    request(url, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } }, resolve)
      .on("error", reject)
      .end();
  });
  stalled.pause();
  // About 10 MB of changes (each update carries a 2,000-character description twice): more than
  // the socket's buffers hold, so the server cannot finish writing to the stalled reader.
  const pen = await client.items.create.mutate({ title: "Pen" });
  const long = ["a", "b"].map((letter) => letter.repeat(2_000));
  for (let i = 0; i < 2_500; i++) {
    await client.items.update.mutate({ id: pen.id, description: long[i % 2] ?? null });
  }
  const started = Date.now();
  const code = await server.stop("SIGTERM");
  expect(code).toBe(0);
  expect(Date.now() - started).toBeLessThan(4_000);
  stalled.destroy();
});

it("closes without waiting on a connection that never sends a request", async () => {
  // What Node's fetch leaves behind when a stream is aborted: it held the close for up to 60 s.
  const server = await startTestServer();
  const { connect } = await import("node:net");
  const { port, hostname } = new URL(server.url);
  const silent = connect(Number(port), hostname);
  await new Promise((resolve) => silent.once("connect", resolve));
  const started = Date.now();
  await server[Symbol.asyncDispose]();
  expect(Date.now() - started).toBeLessThan(3_000);
  silent.destroy();
});
