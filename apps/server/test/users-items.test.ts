import { describeEachDatabase } from "@app/db/testing";
import { expect, it } from "vitest";
import { expectClientError, startTestServer } from "./support/harness.ts";

await describeEachDatabase("users and items over HTTP", (dialect) => {
  it("runs the seed chapter's flow: create, list, read with items, add item, update, delete", async () => {
    await using server = await startTestServer({}, dialect);
    const { client, admin } = server;
    // The admin the server started with is user 1; an account it creates is a plain user.
    expect(admin).toMatchObject({ id: 1, name: "Admin", email: "admin@example.org", role: "admin" });
    const ann = await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    expect(ann).toMatchObject({
      id: 2,
      name: "Ann",
      email: "ann@example.com",
      role: "user",
      version: 1,
      items: [],
    });

    const list = await client.users.list.query();
    expect(list.items.map((u) => u.email)).toEqual(["admin@example.org", "ann@example.com"]);

    const item = await client.items.create.mutate({ userId: ann.id, title: "Notebook", description: "A5" });
    expect(item).toMatchObject({ title: "Notebook", description: "A5", ownerId: ann.id });

    const read = await client.users.byId.query({ id: ann.id });
    expect(read.items).toEqual([item]);

    const updated = await client.users.update.mutate({ id: ann.id, name: "Anna", version: ann.version });
    expect(updated).toMatchObject({ name: "Anna", version: 2 });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(ann.updatedAt));

    expect(await client.users.delete.mutate({ id: ann.id })).toEqual({ id: ann.id });
    expect((await client.users.list.query()).items.map((u) => u.id)).toEqual([admin.id]);
    expect(await server.count("items")).toBe(0);
  });

  it("answers CONFLICT (409) for an email taken in any letter case, and writes nothing", async () => {
    await using server = await startTestServer({}, dialect);
    const before = await server.count("users"); // the admin
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const error = await expectClientError(
      server.client.users.create.mutate({ name: "Impostor", email: "  ANN@Example.com " }),
      "CONFLICT",
    );
    expect(error.data?.httpStatus).toBe(409);
    expect(error.message).toBe("A user with email ann@example.com already exists");
    expect(await server.count("users")).toBe(before + 1);
  });

  it("answers NOT_FOUND (404) naming what is missing", async () => {
    await using server = await startTestServer({}, dialect);
    const user = await expectClientError(server.client.users.byId.query({ id: 42 }), "NOT_FOUND");
    expect(user.message).toBe("User 42 not found");
    expect(user.data?.httpStatus).toBe(404);
    const item = await expectClientError(
      server.client.items.create.mutate({ userId: 42, title: "orphan" }),
      "NOT_FOUND",
    );
    expect(item.message).toBe("User 42 not found");
    await expectClientError(server.client.items.update.mutate({ id: 7, title: "x" }), "NOT_FOUND");
    expect(await server.count("items")).toBe(0);
  });

  it("answers BAD_REQUEST (400) with the failing fields in error.data", async () => {
    await using server = await startTestServer({}, dialect);
    const before = await server.count("users"); // the admin
    const error = await expectClientError(
      server.client.users.create.mutate({ name: "x".repeat(101), email: "not-an-email" }),
      "BAD_REQUEST",
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(Object.keys(error.data?.zodError?.fieldErrors ?? {}).sort()).toEqual(["email", "name"]);
    expect(await server.count("users")).toBe(before);
  });

  it("leaves no trace of a mutation that fails part-way", async () => {
    await using server = await startTestServer({}, dialect);
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const bob = await server.client.users.create.mutate({ name: "Bob", email: "bob@example.com" });
    await expectClientError(
      server.client.users.update.mutate({ id: bob.id, name: "Robert", email: "ann@example.com" }),
      "CONFLICT",
    );
    expect(await server.client.users.byId.query({ id: bob.id })).toMatchObject({
      name: "Bob",
      email: "bob@example.com",
      version: 1,
    });
  });

  it("pages through items of one user and of everyone by keyset cursor", async () => {
    await using server = await startTestServer({}, dialect);
    const { client } = server;
    const ann = await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const bob = await client.users.create.mutate({ name: "Bob", email: "bob@example.com" });
    for (const title of ["a1", "a2", "a3"]) await client.items.create.mutate({ userId: ann.id, title });
    await client.items.create.mutate({ userId: bob.id, title: "b1" });
    const first = await client.items.list.query({ userId: ann.id, limit: 2 });
    const rest = await client.items.list.query({ userId: ann.id, limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...rest.items].map((i) => i.title)).toEqual(["a1", "a2", "a3"]);
    expect(rest.nextCursor).toBeNull();
    expect((await client.items.list.query()).items.map((i) => i.title)).toEqual(["a1", "a2", "a3", "b1"]);
    await expectClientError(client.items.list.query({ userId: 99 }), "NOT_FOUND");
  });

  it("edits and deletes items, clearing a description with null", async () => {
    await using server = await startTestServer({}, dialect);
    const { client } = server;
    const ann = await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const item = await client.items.create.mutate({ userId: ann.id, title: "Pen", description: "blue" });
    const edited = await client.items.update.mutate({ id: item.id, description: null });
    expect(edited).toMatchObject({ title: "Pen", description: null });
    expect(await client.items.byId.query({ id: item.id })).toEqual(edited);
    expect(await client.items.delete.mutate({ id: item.id })).toEqual({ id: item.id });
    await expectClientError(client.items.byId.query({ id: item.id }), "NOT_FOUND");
  });

  it("reports health with the database checked", async () => {
    await using server = await startTestServer({}, dialect);
    expect(await server.client.health.query()).toEqual({ status: "ok", db: "ok" });
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", db: "ok" });
  });
});

await describeEachDatabase("search and email rules on every database", (dialect) => {
  it("matches name or email case-insensitively and treats emails as case-insensitive", async () => {
    await using server = await startTestServer({}, dialect);
    const { client } = server;
    await client.users.create.mutate({ name: "Ann Smith", email: "Ann@Example.com" });
    await client.users.create.mutate({ name: "Bob", email: "bob_smith@work.org" });
    await client.users.create.mutate({ name: "Carl", email: "carl@example.com" });
    const names = async (search: string) =>
      (await client.users.list.query({ search })).items.map((u) => u.name).sort();
    expect(await names("SMITH")).toEqual(["Ann Smith", "Bob"]);
    // The admin (admin@example.org) matches too.
    expect(await names("eXample")).toEqual(["Admin", "Ann Smith", "Carl"]);
    expect(await names("b_s")).toEqual(["Bob"]);
    expect(await names("100%")).toEqual([]);
    await client.users.create.mutate({ name: "Émile Ünal", email: "emile@example.org" });
    expect(await names("émile ü")).toEqual(["Émile Ünal"]);
    expect(await names("ÉMILE")).toEqual(["Émile Ünal"]);
    await expectClientError(
      client.users.create.mutate({ name: "Dup", email: "ANN@EXAMPLE.COM" }),
      "CONFLICT",
    );
  });

  it("keeps timestamps to the millisecond as written", async () => {
    await using server = await startTestServer({}, dialect);
    const created = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const read = await server.client.users.byId.query({ id: created.id });
    expect(read.createdAt).toBe(created.createdAt);
    expect(read.updatedAt).toBe(created.updatedAt);
  });
});
