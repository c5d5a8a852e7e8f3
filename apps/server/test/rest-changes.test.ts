import http, { type ClientRequest, type IncomingMessage } from "node:http";
import { changeFeedOf } from "@app/api";
import { type ChangeOutput, changeOutput, changePage } from "@app/api/schemas";
import { describeEachDatabase, testedDialects } from "@app/db/testing";
import { describe, expect, it } from "vitest";
import { restErrorBody } from "../src/transport/rest/errors.ts";
import { lockChangeHead } from "./support/change-head-lock.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";

const timeout = 60_000;

type Frame = { id?: string; event?: string; data: string };

/**
 * `GET /api/changes/stream` read as an EventSource would: frames split on blank lines, comment
 * lines skipped. `next` waits for the next event; `rest` for the server to end the response.
 * Over node:http on a connection of its own: undici (fetch) opens a spare connection when a
 * response is aborted, and a server that is closing waits for such a connection's headers.
 */
async function openStream(server: TestServer, query = "", headers: Record<string, string> = {}) {
  const { request, response } = await new Promise<{ request: ClientRequest; response: IncomingMessage }>(
    (resolve, reject) => {
      const request = http.get(`${server.url}/api/changes/stream${query}`, { headers, agent: false });
      request.on("response", (response) => resolve({ request, response }));
      request.on("error", reject);
    },
  );
  response.setEncoding("utf8");
  let buffer = "";
  let done = false;
  let wake: (() => void) | undefined;
  response.on("data", (chunk: string) => {
    buffer += chunk;
    wake?.();
  });
  response.on("close", () => {
    done = true;
    wake?.();
  });
  const readFrame = async (ms: number): Promise<Frame | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const frame: Frame = { data: "" };
        for (const line of lines) {
          if (line.startsWith(":")) continue;
          const [field, ...rest] = line.split(": ");
          const value = rest.join(": ");
          if (field === "id") frame.id = value;
          else if (field === "event") frame.event = value;
          else if (field === "data") frame.data = value;
        }
        if (frame.data !== "") return frame;
        continue;
      }
      if (done) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };
  return {
    status: response.statusCode,
    headers: response.headers,
    /** The next change: its event id and its data. */
    async next(ms = 5_000): Promise<{ id: string | undefined; data: ChangeOutput }> {
      const frame = await readFrame(ms);
      if (frame === undefined) throw new Error("the stream ended");
      if (frame.event !== undefined) throw new Error(`an ${frame.event} event: ${frame.data}`);
      return { id: frame.id, data: changeOutput.parse(JSON.parse(frame.data)) };
    },
    /** The next `count` changes. */
    async take(count: number, ms = 5_000) {
      const events = [];
      for (let i = 0; i < count; i++) events.push(await this.next(ms));
      return events;
    },
    /** No event arrives within `ms`. */
    async expectQuiet(ms = 400): Promise<void> {
      const frame = await readFrame(ms).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith("no event")) return undefined;
        throw error;
      });
      expect(frame).toBeUndefined();
    },
    /** The frames left until the server ends the response. */
    async rest(ms = 5_000): Promise<Frame[]> {
      const frames: Frame[] = [];
      for (;;) {
        const frame = await readFrame(ms);
        if (frame === undefined) return frames;
        frames.push(frame);
      }
    },
    /** The client goes away. */
    close: () => request.destroy(),
  };
}

async function getJson(server: TestServer, path: string, headers: Record<string, string>) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Waits for a condition the server reaches by itself (a subscriber gone). */
async function eventually(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Forgets every change up to the newest, as retention does after CHANGES_RETENTION_DAYS. */
async function pruneAll(server: TestServer): Promise<number> {
  const em = server.orm.em.fork();
  await em.execute("delete from changes");
  await em.execute("update change_head set pruned_through = last_id");
  const [head] = await em.execute<{ pruned_through: number }[]>("select pruned_through from change_head");
  return Number(head?.pruned_through);
}

await describeEachDatabase("REST: the change history and its stream", (dialect) => {
  it(
    "GET /api/changes pages the history with after, entity, entityId and limit; a user sees only theirs",
    async () => {
      await using server = await startTestServer({}, dialect);
      const ann = await server.signUp("Ann");
      const bob = await server.signUp("Bob");
      const pen = await ann.client.items.create.mutate({ title: "Pen" });
      await bob.client.items.create.mutate({ title: "Cup" });
      await ann.client.items.update.mutate({ id: pen.id, title: "Blue pen" });

      const all = await getJson(server, "/api/changes?limit=100", server.adminHeaders);
      expect(all.status).toBe(200);
      const history = changePage.parse(all.body);
      expect(history).toEqual(await server.client.changes.list.query({ limit: 100 }));
      const ids = history.items.map((change) => change.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));

      // Ann's: her sign-up, her item's creation and update; nothing of Bob's.
      const anns = changePage.parse((await getJson(server, "/api/changes", bearer(ann.token))).body);
      expect(anns.items.map((c) => [c.entity, c.entityId, c.op])).toEqual([
        ["user", ann.user.id, "create"],
        ["item", pen.id, "create"],
        ["item", pen.id, "update"],
      ]);
      expect(anns.items[2]?.fields).toEqual({ title: ["Pen", "Blue pen"] });
      const bobsViewOfPen = await getJson(
        server,
        `/api/changes?entity=item&entityId=${pen.id}`,
        bearer(bob.token),
      );
      expect(changePage.parse(bobsViewOfPen.body).items).toEqual([]);

      const penHistory = await getJson(
        server,
        `/api/changes?entity=item&entityId=${pen.id}`,
        server.adminHeaders,
      );
      expect(changePage.parse(penHistory.body).items.map((c) => c.op)).toEqual(["create", "update"]);
      const users = changePage.parse(
        (await getJson(server, "/api/changes?entity=user", server.adminHeaders)).body,
      );
      expect(users.items.length).toBeGreaterThan(0);
      expect(users.items.every((c) => c.entity === "user")).toBe(true);

      // Pages of two, each after the previous page's cursor, add up to the whole history.
      const paged: ChangeOutput[] = [];
      let after: number | null = 0;
      while (after !== null) {
        const page = changePage.parse(
          (await getJson(server, `/api/changes?limit=2&after=${after}`, server.adminHeaders)).body,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items);
        after = page.nextCursor;
      }
      expect(paged).toEqual(history.items);
      const [, second] = history.items;
      const afterSecond = await getJson(server, `/api/changes?after=${second?.id}`, server.adminHeaders);
      expect(changePage.parse(afterSecond.body).items).toEqual(history.items.slice(2));
    },
    timeout,
  );

  it(
    "GET /api/changes answers 401 without a credential and 400 naming a bad filter",
    async () => {
      await using server = await startTestServer({}, dialect);
      const anonymous = await getJson(server, "/api/changes", {});
      expect(anonymous.status).toBe(401);
      expect(restErrorBody.parse(anonymous.body).error.code).toBe("UNAUTHORIZED");
      for (const [query, field] of [
        ["after=-1", "after"],
        ["after=soon", "after"],
        ["entity=team", "entity"],
        ["entityId=x", "entityId"],
        ["limit=0", "limit"],
      ]) {
        const bad = await getJson(server, `/api/changes?${query}`, server.adminHeaders);
        expect(bad.status, query).toBe(400);
        expect(Object.keys(restErrorBody.parse(bad.body).error.fieldErrors ?? {}), query).toEqual([field]);
      }
    },
    timeout,
  );

  it(
    "streams each change as it commits, as an event whose id is the change's id",
    async () => {
      await using server = await startTestServer({}, dialect);
      const stream = await openStream(server, "", server.adminHeaders);
      expect(stream.status).toBe(200);
      expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
      expect(stream.headers["cache-control"]).toBe("no-store");
      // Without a resume point it starts from now: nothing of the admin's own creation.
      await stream.expectQuiet();
      const pen = await server.client.items.create.mutate({ title: "Pen" });
      await server.client.items.update.mutate({ id: pen.id, title: "Blue pen" });
      const events = await stream.take(2);
      const { items } = await server.client.changes.list.query({ entity: "item", entityId: pen.id });
      expect(events.map((event) => event.data)).toEqual(items);
      expect(events.map((event) => event.id)).toEqual(items.map((change) => String(change.id)));
      stream.close();
      // The client went away: the server lets go of its subscription.
      await eventually(() => changeFeedOf(server.orm).subscriberCount === 0, "the subscriber to go");
    },
    timeout,
  );

  it(
    "resumes after ?after= and after Last-Event-ID (which wins), then follows live, with no gap or repeat",
    async () => {
      await using server = await startTestServer({}, dialect);
      const titles = ["A", "B", "C", "D"];
      for (const title of titles) await server.client.items.create.mutate({ title });
      const history = (await server.client.changes.list.query({ limit: 100 })).items;
      const ids = history.map((change) => change.id);
      const [first, second] = history.slice(-4);
      if (first === undefined || second === undefined) throw new Error("four changes expected");

      const fromAfter = await openStream(server, `?after=${first.id}`, server.adminHeaders);
      const fromHeader = await openStream(server, `?after=${first.id}`, {
        ...server.adminHeaders,
        "last-event-id": String(second.id),
      });
      const expectedAfter = (id: number) => ids.filter((other) => other > id).map(String);
      expect((await fromAfter.take(3)).map((event) => event.id)).toEqual(expectedAfter(first.id));
      expect((await fromHeader.take(2)).map((event) => event.id)).toEqual(expectedAfter(second.id));

      // A reconnect from the last id received: it picks up exactly where the first stream stopped.
      const live = await server.client.items.create.mutate({ title: "E" });
      const [liveEvent] = await fromAfter.take(1);
      expect(liveEvent?.data).toMatchObject({ entity: "item", entityId: live.id, op: "create" });
      fromAfter.close();
      const missed = await server.client.items.create.mutate({ title: "F" });
      const resumed = await openStream(server, "?after=0", {
        ...server.adminHeaders,
        "last-event-id": String(liveEvent?.id),
      });
      const [missedEvent] = await resumed.take(1);
      expect(missedEvent?.data).toMatchObject({ entityId: missed.id, op: "create" });
      await resumed.expectQuiet();
      await server.client.items.create.mutate({ title: "G" });
      const [next] = await resumed.take(1);
      expect(Number(next?.id)).toBeGreaterThan(Number(missedEvent?.id));
      expect((await fromHeader.take(3)).map((event) => event.data.entityId)).toEqual([
        live.id,
        missed.id,
        next?.data.entityId,
      ]);
      fromHeader.close();
      resumed.close();
    },
    timeout,
  );

  it(
    "answers 401 without a credential, as JSON, and follows with the session cookie as with a token",
    async () => {
      await using server = await startTestServer({}, dialect);
      for (const headers of [{}, { authorization: "Bearer uis_nonsense" }, { cookie: "sid=nonsense" }]) {
        const refused = await fetch(`${server.url}/api/changes/stream`, { headers });
        expect(refused.status).toBe(401);
        expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
        expect(restErrorBody.parse(await refused.json()).error.code).toBe("UNAUTHORIZED");
      }
      const ann = await server.signUp("Ann");
      const signIn = await fetch(`${server.url}/api/auth/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: ann.user.email, password: ann.password }),
      });
      const cookie = signIn.headers.get("set-cookie")?.split(";")[0];
      if (cookie === undefined) throw new Error("no session cookie");
      const stream = await openStream(server, "?after=0", { cookie });
      expect(stream.status).toBe(200);
      const [signUp] = await stream.take(1);
      expect(signUp?.data).toMatchObject({ entity: "user", entityId: ann.user.id, op: "create" });
      stream.close();
    },
    timeout,
  );

  it(
    "answers 400 naming a bad ?after= or Last-Event-ID, and 405 to HEAD",
    async () => {
      await using server = await startTestServer({}, dialect);
      for (const [query, headers, field] of [
        ["?after=soon", {}, "after"],
        ["?after=-3", {}, "after"],
        ["", { "last-event-id": "x1" }, "Last-Event-ID"],
      ] as const) {
        const bad = await fetch(`${server.url}/api/changes/stream${query}`, {
          headers: { ...server.adminHeaders, ...headers },
        });
        expect(bad.status, field).toBe(400);
        const { error } = restErrorBody.parse(await bad.json());
        expect(Object.keys(error.fieldErrors ?? {})).toEqual([field]);
      }
      // A HEAD would open a stream with no body to end it: it is not one of the methods.
      const head = await fetch(`${server.url}/api/changes/stream`, {
        method: "HEAD",
        headers: server.adminHeaders,
      });
      expect(head.status).toBe(405);
      expect(head.headers.get("allow")).toBe("GET");
      expect(changeFeedOf(server.orm).subscriberCount).toBe(0);
    },
    timeout,
  );

  it(
    "answers 412 as JSON for a resume point that was pruned, whether ?after= or Last-Event-ID",
    async () => {
      await using server = await startTestServer({}, dialect);
      await server.client.items.create.mutate({ title: "Pen" });
      await server.client.items.create.mutate({ title: "Cup" });
      const prunedThrough = await pruneAll(server);
      for (const [query, headers] of [
        ["?after=1", {}],
        ["?after=0", {}],
        ["", { "last-event-id": "1" }],
        // The header wins over a valid ?after=.
        [`?after=${prunedThrough}`, { "last-event-id": "1" }],
      ] as const) {
        const refused = await fetch(`${server.url}/api/changes/stream${query}`, {
          headers: { ...server.adminHeaders, ...headers },
        });
        expect(refused.status, query).toBe(412);
        const { error } = restErrorBody.parse(await refused.json());
        expect(error.code).toBe("PRECONDITION_FAILED");
        expect(error.message).toMatch(/pruned.*reload/);
      }
      await eventually(() => changeFeedOf(server.orm).subscriberCount === 0, "no subscriber left");
      // From the pruned point itself nothing is missing: it follows.
      const stream = await openStream(server, `?after=${prunedThrough}`, server.adminHeaders);
      expect(stream.status).toBe(200);
      const cup = await server.client.items.create.mutate({ title: "Mug" });
      expect((await stream.take(1))[0]?.data.entityId).toBe(cup.id);
      stream.close();
    },
    timeout,
  );

  it(
    "answers 400 as JSON for a resume point beyond the last change, whether ?after= or Last-Event-ID",
    async () => {
      // It answered 200 and then an error event, which an EventSource takes as a dropped stream
      // and reconnects with the same Last-Event-ID for ever (after a restored backup, every client).
      await using server = await startTestServer({}, dialect);
      await server.client.items.create.mutate({ title: "Pen" });
      for (const [query, headers] of [
        ["?after=1000", {}],
        ["", { "last-event-id": "1000" }],
        ["?after=0", { "last-event-id": "2147483647" }],
      ] as const) {
        const refused = await fetch(`${server.url}/api/changes/stream${query}`, {
          headers: { ...server.adminHeaders, ...headers },
        });
        expect(refused.status, query).toBe(400);
        expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
        const { error } = restErrorBody.parse(await refused.json());
        expect(error.code).toBe("BAD_REQUEST");
        expect(error.message).toMatch(/no change \d+ yet/);
      }
      await eventually(() => changeFeedOf(server.orm).subscriberCount === 0, "no subscriber left");
    },
    timeout,
  );

  it(
    "shows a user's stream their own changes only; an admin's shows everyone's",
    async () => {
      await using server = await startTestServer({}, dialect);
      const ann = await server.signUp("Ann");
      const bob = await server.signUp("Bob");
      const annStream = await openStream(server, "?after=0", bearer(ann.token));
      const adminStream = await openStream(server, "", server.adminHeaders);
      const [annSignUp] = await annStream.take(1);
      expect(annSignUp?.data).toMatchObject({ entity: "user", entityId: ann.user.id });
      await bob.client.items.create.mutate({ title: "Bob's cup" });
      await server.client.items.create.mutate({ userId: bob.user.id, title: "For Bob" });
      const pen = await server.client.items.create.mutate({ userId: ann.user.id, title: "For Ann" });
      await bob.client.users.update.mutate({ id: bob.user.id, name: "Robert" });
      expect((await adminStream.take(4)).map((event) => event.data.entity)).toEqual([
        "item",
        "item",
        "item",
        "user",
      ]);
      const [annsItem] = await annStream.take(1);
      expect(annsItem?.data).toMatchObject({ entity: "item", entityId: pen.id, actorId: server.admin.id });
      await annStream.expectQuiet();
      annStream.close();
      adminStream.close();
    },
    timeout,
  );

  it(
    "ends the response with an error event when the server shuts down",
    async () => {
      await using server = await startTestServer({}, dialect);
      const stream = await openStream(server, "", server.adminHeaders);
      await server.client.items.create.mutate({ title: "Pen" });
      await stream.take(1);
      const started = Date.now();
      await server.close();
      const frames = await stream.rest();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(frames).toHaveLength(1);
      expect(frames[0]?.event).toBe("error");
      const { error } = restErrorBody.parse(JSON.parse(frames[0]?.data ?? ""));
      expect(error.code).toBe("SERVICE_UNAVAILABLE");
      expect(error.message).toMatch(/resubscribe|resume/);
    },
    timeout,
  );

  it(
    "ends the stream of a session that signs out with an error event, after the events it had",
    async () => {
      await using server = await startTestServer({}, dialect);
      const ann = await server.signUp("Ann");
      const stream = await openStream(server, "?after=0", bearer(ann.token));
      await stream.take(1);
      await fetch(`${server.url}/api/auth/signout`, { method: "POST", headers: bearer(ann.token) });
      const frames = await stream.rest();
      expect(frames.map((frame) => frame.event)).toEqual(["error"]);
      const { error } = restErrorBody.parse(JSON.parse(frames[0]?.data ?? ""));
      expect(error.code).toBe("UNAUTHORIZED");
      await eventually(() => changeFeedOf(server.orm).subscriberCount === 0, "the subscriber to go");
    },
    timeout,
  );
});

// PostgreSQL: a lock on the change head holds the feed's first read past the statement timeout.
const postgresql = (await testedDialects()).find((tested) => tested.dialect === "postgresql");
if (postgresql) {
  (postgresql.skip ? describe.skip : describe)("REST: the change stream [postgresql]", () => {
    it(
      "answers 200 and an error event when the database is away at the start, so that an EventSource tries again",
      async () => {
        await using server = await startTestServer({ DATABASE_STATEMENT_TIMEOUT_MS: "500" }, "postgresql");
        {
          await using _lock = await lockChangeHead(server.config.DATABASE_URL);
          const stream = await openStream(server, "", server.adminHeaders);
          expect(stream.status).toBe(200);
          const frames = await stream.rest();
          expect(frames.map((frame) => frame.event)).toEqual(["error"]);
          expect(restErrorBody.parse(JSON.parse(frames[0]?.data ?? "")).error.code).toBe(
            "SERVICE_UNAVAILABLE",
          );
        }
        // The database back, the same request follows the changes.
        const again = await openStream(server, "", server.adminHeaders);
        const item = await server.client.items.create.mutate({ title: "Back" });
        expect((await again.next()).data).toMatchObject({ entity: "item", entityId: item.id });
        again.close();
      },
      timeout,
    );
  });
}
