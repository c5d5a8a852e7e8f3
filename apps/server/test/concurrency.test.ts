import { describeEachDatabase } from "@app/db/testing";
import { expect, it } from "vitest";
import { expectClientError, startTestServer, tally } from "./support/harness.ts";

await describeEachDatabase("concurrent calls over HTTP", (dialect) => {
  it("lets exactly one of 20 concurrent creates of one email succeed; the rest are CONFLICT, never 500", async () => {
    await using server = await startTestServer({}, dialect);
    const before = await server.count("users"); // the admin
    const calls = Array.from({ length: 20 }, (_, i) =>
      server.unbatchedClient.users.create.mutate({ name: `Racer ${i}`, email: "race@example.com" }),
    );
    expect(await tally(calls)).toEqual({ OK: 1, CONFLICT: 19 });
    expect(await server.count("users")).toBe(before + 1);
  });

  it("commits all of 100 concurrent creates of distinct emails", async () => {
    await using server = await startTestServer({}, dialect);
    const before = await server.count("users"); // the admin
    const calls = Array.from({ length: 100 }, (_, i) =>
      server.unbatchedClient.users.create.mutate({ name: `User ${i}`, email: `user${i}@example.com` }),
    );
    expect(await tally(calls)).toEqual({ OK: 100 });
    expect(await server.count("users")).toBe(before + 100);
  });

  it("lets exactly one of several racing updates with the same version win", async () => {
    await using server = await startTestServer({}, dialect);
    const user = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const calls = Array.from({ length: 10 }, (_, i) =>
      server.unbatchedClient.users.update.mutate({ id: user.id, name: `Writer ${i}`, version: user.version }),
    );
    expect(await tally(calls)).toEqual({ OK: 1, CONFLICT: 9 });
    expect((await server.client.users.byId.query({ id: user.id })).version).toBe(2);
  });

  it("runs the calls of one batch as independent units of work: one fails, the others commit", async () => {
    await using server = await startTestServer({}, dialect);
    await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    let requests = 0;
    const { createClient } = await import("@app/client");
    const counting = createClient({
      url: server.url,
      token: server.adminToken,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const results = await Promise.allSettled([
      counting.users.create.mutate({ name: "Bob", email: "bob@example.com" }),
      counting.users.create.mutate({ name: "Copy", email: "ann@example.com" }),
      counting.users.create.mutate({ name: "Cy", email: "cy@example.com" }),
    ]);
    expect(requests).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    // The calls of a batch run concurrently: Cy's id may come before Bob's.
    const emails = (await server.client.users.list.query()).items.map((u) => u.email).sort();
    expect(emails).toEqual(["admin@example.org", "ann@example.com", "bob@example.com", "cy@example.com"]);
  });

  it("never lets one call see another's identity map, even inside one batch", async () => {
    await using server = await startTestServer({}, dialect);
    const { client } = server;
    await client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const bob = await client.users.create.mutate({ name: "Bob", email: "bob@example.com" });
    // The failing update assigns "Robert" to its managed entity before the flush fails; a read
    // sharing that identity map would return "Robert" although nothing was committed.
    const [failed, read] = await Promise.allSettled([
      client.users.update.mutate({ id: bob.id, name: "Robert", email: "ann@example.com" }),
      client.users.byId.query({ id: bob.id }),
    ]);
    expect(failed.status).toBe("rejected");
    expect(read.status === "fulfilled" && read.value.name).toBe("Bob");
    // A later request sees committed changes, not a cached copy from an earlier one.
    await client.users.update.mutate({ id: bob.id, name: "Bobby" });
    expect((await client.users.byId.query({ id: bob.id })).name).toBe("Bobby");
  });

  it("keeps a batch of reads consistent with a concurrent batch of writes", async () => {
    await using server = await startTestServer({}, dialect);
    const user = await server.client.users.create.mutate({ name: "Ann", email: "ann@example.com" });
    const writes = Array.from({ length: 10 }, (_, i) =>
      server.client.items.create.mutate({ userId: user.id, title: `item ${i}` }),
    );
    const reads = Array.from({ length: 10 }, () => server.client.users.byId.query({ id: user.id }));
    const [written, read] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
    expect(written).toHaveLength(10);
    for (const snapshot of read) {
      // Each read sees a prefix of the committed items, in id order, never a half-written one.
      const ids = snapshot.items?.map((i) => i.id) ?? [];
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    await expectClientError(server.client.users.byId.query({ id: 999 }), "NOT_FOUND");
  });
});
