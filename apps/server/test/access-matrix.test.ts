import { governedPaths } from "@app/api";
import { type Client, createClient, isClientError } from "@app/client";
import { describeEachDatabase } from "@app/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { procedures } from "../src/transport/procedures.ts";
import { startTestServer, type TestServer } from "./support/harness.ts";

/**
 * Every procedure, called over HTTP as four callers, on every database: nobody (anonymous), the
 * owner of the record it names, another user, and an admin. Each cell is the outcome a caller
 * relies on: OK, or the tRPC code of the refusal. A refused call must change nothing.
 */
type Who = "anonymous" | "owner" | "other" | "admin";
const everyone: Who[] = ["anonymous", "owner", "other", "admin"];

type World = {
  server: TestServer;
  /** Ann owns the records the cases name; Bob is the other user. */
  ann: { id: number; email: string; password: string; itemId: number; tokenId: number };
  clients: Record<Who, Client>;
  /** A new account, and a client signed in as it (for calls that end a session or an account). */
  freshAccount(): Promise<{ id: number; client: Client; password: string }>;
  /** A new item of Ann's (for calls that delete it). */
  freshAnnItem(): Promise<number>;
};

type Case = {
  path: string;
  /** What the case does, when a path has several. */
  variant?: string;
  /** Makes the call as `who`. Cases that end sessions or accounts make their own fresh callers. */
  call: (world: World, who: Who) => Promise<unknown>;
  expected: Record<Who, string>;
};

const ownOnly = { anonymous: "UNAUTHORIZED", owner: "OK", other: "NOT_FOUND", admin: "OK" };
const signedIn = { anonymous: "UNAUTHORIZED", owner: "OK", other: "OK", admin: "OK" };
const adminOnly = { anonymous: "UNAUTHORIZED", owner: "FORBIDDEN", other: "FORBIDDEN", admin: "OK" };
const anyone = { anonymous: "OK", owner: "OK", other: "OK", admin: "OK" };

let counter = 0;
const unique = (name: string) => `${name}-${++counter}@example.com`;

/** A caller for `who` made just for this call: the calls that end their own session need one. */
async function freshCaller(world: World, who: Who): Promise<Client> {
  if (who === "anonymous") return world.clients.anonymous;
  if (who === "admin") {
    const { token } = await world.clients.anonymous.auth.signIn.mutate({
      email: "admin@example.org",
      password: "admin password",
    });
    return createClient({ url: world.server.url, token });
  }
  return (await world.freshAccount()).client;
}

const cases: Case[] = [
  { path: "health", call: ({ clients }, who) => clients[who].health.query(), expected: anyone },
  {
    path: "auth.signUp",
    call: ({ clients }, who) =>
      clients[who].auth.signUp.mutate({ name: "New", email: unique("new"), password: "long enough" }),
    expected: anyone,
  },
  {
    path: "auth.signIn",
    call: ({ clients, ann }, who) =>
      clients[who].auth.signIn.mutate({ email: ann.email, password: ann.password }),
    expected: anyone,
  },
  { path: "auth.me", call: ({ clients }, who) => clients[who].auth.me.query(), expected: signedIn },
  {
    path: "auth.tokens.create",
    call: ({ clients }, who) => clients[who].auth.tokens.create.mutate({ name: "script" }),
    expected: signedIn,
  },
  {
    path: "auth.tokens.list",
    call: ({ clients }, who) => clients[who].auth.tokens.list.query(),
    expected: signedIn,
  },
  {
    // Tokens are their owner's alone: even an admin revokes someone's by deleting the account.
    path: "auth.tokens.revoke",
    call: async (world, who) => {
      const owner = who === "owner" ? world.clients.owner : await freshCaller(world, "owner");
      const { id } = await owner.auth.tokens.create.mutate({ name: "to revoke" });
      return world.clients[who === "owner" ? "owner" : who].auth.tokens.revoke.mutate({ id });
    },
    expected: { anonymous: "UNAUTHORIZED", owner: "OK", other: "NOT_FOUND", admin: "NOT_FOUND" },
  },
  {
    path: "users.create",
    call: ({ clients }, who) => clients[who].users.create.mutate({ name: "Made", email: unique("made") }),
    expected: adminOnly,
  },
  {
    path: "users.list",
    call: ({ clients }, who) => clients[who].users.list.query({}),
    expected: adminOnly,
  },
  {
    path: "users.byId",
    call: ({ clients, ann }, who) => clients[who].users.byId.query({ id: ann.id }),
    expected: ownOnly,
  },
  {
    path: "users.update",
    variant: "name",
    call: ({ clients, ann }, who) => clients[who].users.update.mutate({ id: ann.id, name: `Ann ${who}` }),
    expected: ownOnly,
  },
  {
    path: "users.update",
    variant: "role",
    call: ({ clients, ann }, who) => clients[who].users.update.mutate({ id: ann.id, role: "user" }),
    expected: { anonymous: "UNAUTHORIZED", owner: "FORBIDDEN", other: "NOT_FOUND", admin: "OK" },
  },
  {
    // On a fresh account, the caller's own when the owner calls: a password reset ends the
    // account's sessions, and Ann's are needed by the cases after this one.
    path: "users.update",
    variant: "password",
    call: async (world, who) => {
      const target = await world.freshAccount();
      const caller = who === "owner" ? target.client : world.clients[who];
      return caller.users.update.mutate({ id: target.id, password: target.password });
    },
    expected: { anonymous: "UNAUTHORIZED", owner: "FORBIDDEN", other: "NOT_FOUND", admin: "OK" },
  },
  {
    // The owner deletes an account of its own (a fresh one); the others try Ann's.
    path: "users.delete",
    call: async (world, who) => {
      if (who !== "owner")
        return world.clients[who].users.delete.mutate({ id: (await world.freshAccount()).id });
      const fresh = await world.freshAccount();
      return fresh.client.users.delete.mutate({ id: fresh.id });
    },
    expected: ownOnly,
  },
  {
    path: "items.create",
    variant: "for Ann",
    call: ({ clients, ann }, who) => clients[who].items.create.mutate({ userId: ann.id, title: "Pen" }),
    expected: ownOnly,
  },
  {
    path: "items.create",
    variant: "for oneself",
    call: ({ clients }, who) => clients[who].items.create.mutate({ title: "Pen" }),
    expected: signedIn,
  },
  {
    path: "items.list",
    variant: "of Ann",
    call: ({ clients, ann }, who) => clients[who].items.list.query({ userId: ann.id }),
    expected: ownOnly,
  },
  {
    path: "items.list",
    variant: "all one may see",
    call: ({ clients }, who) => clients[who].items.list.query({}),
    expected: signedIn,
  },
  {
    path: "items.byId",
    call: ({ clients, ann }, who) => clients[who].items.byId.query({ id: ann.itemId }),
    expected: ownOnly,
  },
  {
    path: "items.update",
    call: ({ clients, ann }, who) =>
      clients[who].items.update.mutate({ id: ann.itemId, title: `Pen ${who}` }),
    expected: ownOnly,
  },
  {
    path: "items.delete",
    call: async (world, who) => world.clients[who].items.delete.mutate({ id: await world.freshAnnItem() }),
    expected: ownOnly,
  },
  {
    path: "changes.list",
    call: ({ clients }, who) => clients[who].changes.list.query({}),
    expected: signedIn,
  },
  {
    path: "changes.onChange",
    call: ({ clients }, who) => subscribed(clients[who]),
    expected: signedIn,
  },
  {
    path: "auth.changePassword",
    call: async (world, who) => {
      const caller = await freshCaller(world, who);
      const current = who === "admin" ? "admin password" : "long enough";
      return caller.auth.changePassword.mutate({ currentPassword: current, newPassword: current });
    },
    expected: signedIn,
  },
  {
    path: "auth.signOut",
    call: async (world, who) => (await freshCaller(world, who)).auth.signOut.mutate(),
    expected: signedIn,
  },
];

/**
 * Opens `changes.onChange`: OK once it has run for half a second after starting without an
 * error, else its error. A refused stream starts (the SSE response opens) and then sends its error.
 */
function subscribed(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = client.changes.onChange.subscribe(
      {},
      {
        onStarted: () => {
          setTimeout(() => {
            subscription.unsubscribe();
            resolve();
          }, 500);
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
      },
    );
  });
}

async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    if (isClientError(error)) return error.data?.code ?? "UNKNOWN";
    throw error;
  }
}

describe("the access matrix", () => {
  it("covers every procedure, and the access rules cover exactly the procedures", () => {
    const paths = [...procedures.keys()].sort();
    expect([...new Set(cases.map((c) => c.path))].sort()).toEqual(paths);
    expect([...governedPaths].sort()).toEqual(paths);
  });
});

await describeEachDatabase("every procedure as anonymous, owner, another user and admin", (dialect) => {
  let world: World;

  beforeAll(async () => {
    const server = await startTestServer({}, dialect);
    const password = "long enough";
    const ann = await server.signUp("Ann");
    const bob = await server.signUp("Bob");
    // Ann's password is the one every fresh account gets, so the same sign-in works for both.
    await server.client.users.update.mutate({ id: ann.user.id, password });
    await server.client.users.update.mutate({ id: bob.user.id, password });
    const annClient = createClient({
      url: server.url,
      token: (await server.anonymous.auth.signIn.mutate({ email: ann.user.email, password })).token,
    });
    const bobClient = createClient({
      url: server.url,
      token: (await server.anonymous.auth.signIn.mutate({ email: bob.user.email, password })).token,
    });
    const item = await annClient.items.create.mutate({ title: "Ann's notebook" });
    const token = await annClient.auth.tokens.create.mutate({ name: "Ann's script" });
    world = {
      server,
      ann: { id: ann.user.id, email: ann.user.email, password, itemId: item.id, tokenId: token.id },
      clients: { anonymous: server.anonymous, owner: annClient, other: bobClient, admin: server.client },
      async freshAccount() {
        const email = unique("fresh");
        const session = await server.anonymous.auth.signUp.mutate({ name: "Fresh", email, password });
        return {
          id: session.user.id,
          password,
          client: createClient({ url: server.url, token: session.token }),
        };
      },
      async freshAnnItem() {
        return (await annClient.items.create.mutate({ title: "Spare" })).id;
      },
    };
    return () => server[Symbol.asyncDispose]();
  });

  it("shows a user only their own items and account, whatever they ask", async () => {
    await world.clients.other.items.create.mutate({ title: "Bob's pen" });
    const own = await world.clients.owner.items.list.query({});
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.every((item) => item.ownerId === world.ann.id)).toBe(true);
    const others = await world.clients.other.items.list.query({});
    expect(others.items.some((item) => item.ownerId === world.ann.id)).toBe(false);
    const all = await world.clients.admin.items.list.query({ limit: 100 });
    expect(new Set(all.items.map((item) => item.ownerId)).size).toBeGreaterThan(1);
  });

  it("changes nothing when it refuses", async () => {
    const before = await world.clients.admin.users.byId.query({ id: world.ann.id });
    const refused = [
      world.clients.other.users.update.mutate({ id: world.ann.id, name: "Mallory" }),
      world.clients.other.users.delete.mutate({ id: world.ann.id }),
      world.clients.other.items.update.mutate({ id: world.ann.itemId, title: "Mallory's" }),
      world.clients.other.items.delete.mutate({ id: world.ann.itemId }),
      world.clients.other.items.create.mutate({ userId: world.ann.id, title: "Planted" }),
      world.clients.owner.users.update.mutate({ id: world.ann.id, role: "admin" }),
      world.clients.anonymous.users.delete.mutate({ id: world.ann.id }),
    ];
    expect(await Promise.all(refused.map(outcome))).toEqual([
      "NOT_FOUND",
      "NOT_FOUND",
      "NOT_FOUND",
      "NOT_FOUND",
      "NOT_FOUND",
      "FORBIDDEN",
      "UNAUTHORIZED",
    ]);
    expect(await world.clients.admin.users.byId.query({ id: world.ann.id })).toEqual(before);
  });

  it("answers someone else's record exactly as a missing one, so ids tell nothing", async () => {
    const missing = 999_999;
    const errorOf = async (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (error: unknown) =>
          isClientError(error) ? { code: error.data?.code, message: error.message } : error,
      );
    const other = world.clients.other;
    expect(await errorOf(other.users.byId.query({ id: world.ann.id }))).toEqual({
      code: "NOT_FOUND",
      message: `User ${world.ann.id} not found`,
    });
    expect(await errorOf(other.users.byId.query({ id: missing }))).toEqual({
      code: "NOT_FOUND",
      message: `User ${missing} not found`,
    });
    expect(await errorOf(other.items.byId.query({ id: world.ann.itemId }))).toEqual({
      code: "NOT_FOUND",
      message: `Item ${world.ann.itemId} not found`,
    });
  });

  // Last: the admin's changePassword ends the admin's other sessions, this suite's client among them.
  for (const testCase of cases) {
    const name = testCase.variant ? `${testCase.path} (${testCase.variant})` : testCase.path;
    it(name, async () => {
      const outcomes: Record<string, string> = {};
      for (const who of everyone) outcomes[who] = await outcome(testCase.call(world, who));
      expect(outcomes).toEqual(testCase.expected);
    });
  }
});
