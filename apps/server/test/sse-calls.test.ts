import { connect } from "node:net";
import { changeFeedOf, closeChangeFeed } from "@app/api";
import { describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/harness.ts";
import { startReference, startRoute } from "./support/trpc-route-alone.ts";

/**
 * `changes.onChange` over server-sent events: the server's own fast path (sse-calls.ts) against
 * tRPC's handler (the same route with the fast paths off, on the same database and change feed),
 * byte for byte: the same headers, the same events, the same errors.
 */

type Stream = {
  /** Status and the headers tRPC sets on an event stream. */
  head: Record<string, string | number | null>;
  text(): string;
  /** Resolves once the server ended the stream (or `close()` did). */
  ended: Promise<void>;
  close(): void;
};

async function openStream(base: string, input: string | undefined, headers: Record<string, string>) {
  const controller = new AbortController();
  const query = input === undefined ? "" : `?input=${encodeURIComponent(input)}`;
  const response = await fetch(`${base}/trpc/changes.onChange${query}`, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  let text = "";
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        text += decoder.decode(chunk.value, { stream: true });
      }
    } catch {
      // Closed by close().
    }
  })();
  const names = ["content-type", "cache-control", "x-accel-buffering", "connection", "vary"];
  const head = {
    status: response.status,
    ...Object.fromEntries(names.map((name) => [name, response.headers.get(name)])),
  };
  const stream: Stream = { head, text: () => text, ended, close: () => controller.abort() };
  return stream;
}

/** One request written as is on a connection of its own, and what comes back, as text. */
function rawExchange(base: string, request: string) {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  socket.write(request, "latin1");
  return { received: () => received, close: () => socket.destroy() };
}

/**
 * A complete response as comparable text: its headers but `date` and `keep-alive`, sorted, then
 * its body (a chunked one joined); undefined while it is incomplete.
 */
function completeResponse(text: string, method: string): string | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = text.slice(0, end);
  const headers = head.split("\r\n").filter((line) => !/^(date|keep-alive):/i.test(line));
  const compared = (body: string) => `${headers.sort().join("\n")}\n\n${body}`;
  let rest = text.slice(end + 4);
  if (method === "HEAD") return compared("");
  const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1];
  if (length !== undefined) return rest.length < Number(length) ? undefined : compared(rest);
  let body = "";
  for (;;) {
    const line = rest.indexOf("\r\n");
    if (line < 0) return undefined;
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (size === 0) return compared(body);
    if (rest.length < line + 2 + size + 2) return undefined;
    body += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Opening = { input: string | undefined; headers: Record<string, string> };

/** Opens each stream on both servers: [fast path, reference] pairs. */
async function openPairs(server: TestServer, referenceUrl: string, openings: Opening[]) {
  return Promise.all(
    openings.map(async ({ input, headers }) => ({
      opening: { input, headers },
      fast: await openStream(server.url, input, headers),
      reference: await openStream(referenceUrl, input, headers),
    })),
  );
}

function expectSameStreams(pairs: Awaited<ReturnType<typeof openPairs>>): void {
  for (const { opening, fast, reference } of pairs) {
    expect({ opening, ...fast.head, text: fast.text() }).toEqual({
      opening,
      ...reference.head,
      text: reference.text(),
    });
  }
}

describe("changes.onChange over server-sent events", () => {
  it("writes the events tRPC's handler writes: caught up, live, resumed, and the error at shutdown", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const ann = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    await server.client.items.create.mutate({ userId: ann.id, title: "Pen" });
    const bea = await server.signUp("Bea");
    const asAdmin = server.adminHeaders;
    const asBea = { authorization: `Bearer ${bea.token}` };
    const pairs = await openPairs(server, reference.url, [
      { input: JSON.stringify({ after: 0 }), headers: asAdmin },
      { input: undefined, headers: asAdmin },
      { input: "{}", headers: { ...asAdmin, "last-event-id": "2" } },
      { input: JSON.stringify({ after: 1, lastEventId: "3" }), headers: asAdmin },
      { input: JSON.stringify({ after: 0 }), headers: asBea },
    ]);
    const feed = changeFeedOf(server.orm);
    // Each stream follows the feed before anything commits, so that each sees the same changes.
    await until(() => feed.subscriberCount === pairs.length * 2, "every stream to follow the feed");

    const pen = await server.client.items.create.mutate({ userId: ann.id, title: "Blue pen" });
    await server.client.items.update.mutate({ id: pen.id, description: 'Quotes " and \\ and\nlines' });
    const cup = await bea.client.items.create.mutate({ title: "Cup" });
    const [last] = (await server.client.changes.list.query({ entity: "item", entityId: cup.id })).items;
    const streams = pairs.flatMap(({ fast, reference }) => [fast, reference]);
    await until(
      () => streams.every((stream) => stream.text().includes(`id: ${last?.id}\n`)),
      "the last change",
    );

    // Shutting down ends every subscription with an error event that names the last id sent.
    closeChangeFeed(server.orm);
    await Promise.all(streams.map((stream) => stream.ended));
    expectSameStreams(pairs);
    expect(pairs[0]?.fast.text()).toMatch(
      /^event: connected\ndata: \{"reconnectAfterInactivityMs":25000\}\n\n\n/,
    );
    expect(pairs[0]?.fast.text()).toContain('"code":"SERVICE_UNAVAILABLE"');
  });

  it("refuses what tRPC's handler refuses, with the same error events", async () => {
    await using server = await startTestServer();
    await using reference = await startReference(server);
    const bea = await server.signUp("Bea");
    const asAdmin = server.adminHeaders;
    const refusals = await openPairs(server, reference.url, [
      { input: "{}", headers: {} },
      { input: "{}", headers: { authorization: "Bearer uis_not-a-session" } },
      { input: JSON.stringify({ after: -1 }), headers: asAdmin },
      { input: JSON.stringify({ after: "x" }), headers: asAdmin },
      { input: JSON.stringify({ lastEventId: "x1" }), headers: asAdmin },
      { input: "5", headers: asAdmin },
      { input: "null", headers: asAdmin },
      { input: JSON.stringify({ after: 999_999 }), headers: asAdmin },
      { input: "{}", headers: { ...asAdmin, "last-event-id": "abc" } },
      { input: "5", headers: { ...asAdmin, "last-event-id": "999999" } },
    ]);
    await Promise.all(refusals.flatMap(({ fast, reference }) => [fast.ended, reference.ended]));
    expectSameStreams(refusals);
    expect(refusals.map(({ fast }) => /"code":"(\w+)"/.exec(fast.text())?.[1])).toEqual([
      "UNAUTHORIZED",
      "UNAUTHORIZED",
      ...Array.from({ length: 8 }, () => "BAD_REQUEST"),
    ]);

    // A session that signs out: its streams end, alike.
    const signedOut = await openPairs(server, reference.url, [
      { input: "{}", headers: { authorization: `Bearer ${bea.token}` } },
    ]);
    await until(() => changeFeedOf(server.orm).subscriberCount === 2, "both streams to follow the feed");
    await bea.client.auth.signOut.mutate();
    await Promise.all(signedOut.flatMap(({ fast, reference }) => [fast.ended, reference.ended]));
    expectSameStreams(signedOut);
    expect(signedOut[0]?.fast.text()).toContain('"code":"UNAUTHORIZED"');
  });

  it("answers odd requests as tRPC's handler does: repeated or other parameters, odd Last-Event-ID, other methods and types", async () => {
    // What the fast path must recognise and leave to tRPC's handler, or answer itself alike.
    await using server = await startTestServer();
    await using fast = await startRoute(server, true);
    await using reference = await startReference(server);
    await server.client.items.create.mutate({ title: "Pen" });
    const query = (input: string) => `input=${encodeURIComponent(input)}`;
    const odd: Array<{ method?: string; query: string; headers?: string; body?: string }> = [
      { query: `${query("{}")}&${query('{"after":0}')}` },
      { query: "lastEventId=1" },
      { query: `batch=1&${query('{"0":{}}')}` },
      { query: `connectionParams=${encodeURIComponent('{"a":"b"}')}` },
      { query: "connectionParams=1" },
      { query: query("{}"), headers: "Last-Event-ID: 1\r\nLast-Event-ID: 2\r\n" },
      { query: query("{}"), headers: "Last-Event-ID: \r\n" },
      { query: query("{}"), headers: "Last-Event-ID: 2147483648\r\n" },
      { query: query("{}"), headers: `Last-Event-ID: ${"9".repeat(4000)}\r\n` },
      { query: query('{"__proto__":{"after":0}}'), headers: "Last-Event-ID: 1\r\n" },
      { query: query("[]"), headers: "Last-Event-ID: 1\r\n" },
      { query: query("{}"), headers: "trpc-accept: application/jsonl\r\n" },
      { query: query("{}"), headers: "Accept: text/event-stream, application/jsonl\r\n" },
      { query: query("{}"), headers: "Content-Type: application/json\r\n" },
      { method: "POST", query: "", headers: "Content-Type: application/json\r\n", body: "{}" },
      { method: "HEAD", query: query("{}") },
    ];
    const exchanges = odd.map((each) => {
      const method = each.method ?? "GET";
      const body = each.body ?? "";
      const request =
        `${method} /trpc/changes.onChange?${each.query} HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${server.adminToken}\r\n${each.headers ?? ""}` +
        `${body ? `Content-Length: ${body.length}\r\n` : ""}\r\n${body}`;
      return { method, fast: rawExchange(fast.url, request), reference: rawExchange(reference.url, request) };
    });
    try {
      // Six of them open a stream on each server; shutting the feed down ends those alike.
      await expect.poll(() => changeFeedOf(server.orm).subscriberCount).toBe(12);
      closeChangeFeed(server.orm);
      const answers = () =>
        exchanges.map(({ method, fast, reference }) => ({
          fast: completeResponse(fast.received(), method),
          reference: completeResponse(reference.received(), method),
        }));
      await until(
        () => answers().every((answer) => answer.fast !== undefined && answer.reference !== undefined),
        "every answer",
      );
      const compared = answers().map((answer, i) => ({ request: odd[i], answer: answer.fast }));
      expect(compared).toEqual(answers().map((answer, i) => ({ request: odd[i], answer: answer.reference })));
      expect(compared.map(({ answer }) => /"code":"(\w+)"/.exec(answer ?? "")?.[1] ?? "none")).toEqual([
        "SERVICE_UNAVAILABLE",
        "SERVICE_UNAVAILABLE",
        "BAD_REQUEST",
        "SERVICE_UNAVAILABLE",
        "PARSE_ERROR",
        "BAD_REQUEST",
        "SERVICE_UNAVAILABLE",
        "BAD_REQUEST",
        "BAD_REQUEST",
        "SERVICE_UNAVAILABLE",
        "BAD_REQUEST",
        "BAD_REQUEST",
        "BAD_REQUEST",
        "SERVICE_UNAVAILABLE",
        "METHOD_NOT_SUPPORTED",
        "none",
      ]);
    } finally {
      for (const { fast, reference } of exchanges) {
        fast.close();
        reference.close();
      }
    }
  });

  it("lets a subscription go when its client leaves, whether it is catching up or waiting", async () => {
    await using server = await startTestServer();
    const feed = changeFeedOf(server.orm);
    // A history of 12 MB, more than the sockets' buffers take, written straight into the log
    // (SQLite): a stream catching up on it is blocked writing when its client leaves.
    const pen = await server.client.items.create.mutate({ title: "Pen" });
    const em = server.orm.em.fork();
    await em.execute(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 200)
       insert into changes (id, at, actor_id, entity, entity_id, owner_id, op, fields)
       select (select last_id from change_head) + i, ?, ?, 'item', ?, ?, 'update',
         '{"description":["' || replace(hex(zeroblob(30000)), '0', 'a') || '",null]}' from n`,
      [Date.now(), server.admin.id, pen.id, server.admin.id],
    );
    await em.execute("update change_head set last_id = last_id + 200");
    const [, written] = (
      await server.client.changes.list.query({ entity: "item", entityId: pen.id, limit: 2 })
    ).items;
    expect(written?.fields?.description?.[0]).toHaveLength(60_000);

    const { hostname, port } = new URL(server.url);
    const open = (input: unknown, leaveAtFirstByte: boolean) => {
      const socket = connect(Number(port), hostname);
      socket.on("error", () => {});
      if (leaveAtFirstByte) socket.once("data", () => socket.destroy());
      socket.write(
        `GET /trpc/changes.onChange?input=${encodeURIComponent(JSON.stringify(input))} HTTP/1.1\r\n` +
          `Host: ${hostname}\r\nAuthorization: Bearer ${server.adminToken}\r\n\r\n`,
      );
      return socket;
    };
    const waiting = Array.from({ length: 5 }, () => open({}, false));
    await expect.poll(() => feed.subscriberCount).toBe(5);
    const catchingUp = Array.from({ length: 5 }, () => open({ after: 0 }, true));
    // Each first byte waits behind the others' catch-up reads (about 1 s in all here): not what is tested.
    await expect.poll(() => catchingUp.every((socket) => socket.destroyed), { timeout: 10_000 }).toBe(true);
    for (const socket of waiting) socket.destroy();
    // Each one's subscription ran its `finally`: the feed holds none, and stops reading the log.
    await expect.poll(() => feed.subscriberCount).toBe(0);
  });

  it("sends each event as one chunk of the response, straight from the subscription", async () => {
    // tRPC's handler sends each line of an event as a chunk of its own: this tells the paths apart.
    await using server = await startTestServer();
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.write(
      `GET /trpc/changes.onChange?input=${encodeURIComponent("{}")} HTTP/1.1\r\nHost: ${hostname}\r\n` +
        `Authorization: Bearer ${server.adminToken}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    try {
      await until(() => changeFeedOf(server.orm).subscriberCount === 1, "the stream to follow the feed");
      const pen = await server.client.items.create.mutate({ title: "Pen" });
      await until(() => received.includes('"entity":"item"'), "the change");
      const connected = 'event: connected\ndata: {"reconnectAfterInactivityMs":25000}\n\n\n';
      const chunk = (event: string) => `\r\n${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
      expect(received).toContain(chunk(connected));
      const event = /\r\n[0-9a-f]+\r\n(data: \{"id":\d+[^\r]*\n\n\n)\r\n/.exec(received)?.[1];
      expect(event).toMatch(new RegExp(`^data: .*"entityId":${pen.id}.*\\nid: \\d+\\n\\n\\n$`));
    } finally {
      socket.destroy();
    }
  });

  it("holds a reader that stops reading to the feed's buffer: the feed cuts it off", {
    timeout: 60_000,
  }, async () => {
    await using server = await startTestServer({ CHANGES_SUBSCRIBER_BUFFER: "10" });
    const feed = changeFeedOf(server.orm);
    const { request } = await import("node:http");
    const stalled = await new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
      const url = new URL(`${server.url}/trpc/changes.onChange?input=${encodeURIComponent("{}")}`);
      request(url, { headers: { ...server.adminHeaders, accept: "text/event-stream" } }, resolve)
        .on("error", reject)
        .end();
    });
    stalled.pause();
    try {
      await until(() => feed.subscriberCount === 1, "the stream to follow the feed");
      // Changes of about 4 KB each, far more than the socket's buffers hold, until it is cut off.
      const pens = await Promise.all(
        Array.from({ length: 10 }, (_, i) => server.client.items.create.mutate({ title: `Pen ${i}` })),
      );
      const long = ["a", "b"].map((letter) => letter.repeat(2_000));
      for (let round = 0; round < 500 && feed.subscriberCount > 0; round++) {
        const description = long[round % 2] ?? null;
        await Promise.all(pens.map((pen) => server.client.items.update.mutate({ id: pen.id, description })));
      }
      await until(() => feed.subscriberCount === 0, "the stalled stream to be cut off");
    } finally {
      stalled.destroy();
    }
  });
});
