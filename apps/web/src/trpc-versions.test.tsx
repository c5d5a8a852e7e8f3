// @trpc/tanstack-react-query 11.22.1 (its latest release) peers on @trpc/client and @trpc/server
// 11.22.1 exactly; the workspace runs 11.25.2 (docs/decisions/010-trpc-versions.md). These hold
// the combination to what the app uses of it, over a real client, link and fetch handler.
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MutationObserver, QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTRPCContext, createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const t = initTRPC.create();
const people = [
  { id: 1, name: "Ada" },
  { id: 2, name: "Grace" },
  { id: 3, name: "Edsger" },
];
const router = t.router({
  users: t.router({
    byId: t.procedure.input(z.object({ id: z.number() })).query(({ input }) => {
      const user = people.find((person) => person.id === input.id);
      if (!user) throw new TRPCError({ code: "NOT_FOUND", message: `No user ${input.id}` });
      return user;
    }),
    list: t.procedure
      .input(z.object({ limit: z.number(), cursor: z.number().nullish() }))
      .query(({ input }) => {
        const after = people.filter((person) => person.id > (input.cursor ?? 0));
        const items = after.slice(0, input.limit);
        return { items, nextCursor: after.length > input.limit ? (items.at(-1)?.id ?? null) : null };
      }),
    create: t.procedure
      .input(z.object({ name: z.string() }))
      .mutation(({ input }) => ({ id: 99, name: input.name })),
  }),
});
type TestRouter = typeof router;

/** A client as the app builds it (apps/web/src/trpc.ts), whose fetch is tRPC's own fetch handler. */
function createApi() {
  const requests: string[] = [];
  const client = createTRPCClient<TestRouter>({
    links: [
      httpBatchLink({
        url: "http://web.test/trpc",
        maxItems: 10,
        fetch: async (url, init) => {
          requests.push(String(url));
          return fetchRequestHandler({ endpoint: "/trpc", req: new Request(url, init), router });
        },
      }),
    ],
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const trpc = createTRPCOptionsProxy<TestRouter>({ client, queryClient });
  return { client, queryClient, trpc, requests };
}

/** The names a dist file imports from each `@trpc/*` module: `{ "@trpc/client": ["getUntypedClient"] }`. */
function trpcImportsOf(source: string): Record<string, string[]> {
  const imports: Record<string, string[]> = {};
  for (const [, names = "", from = ""] of source.matchAll(
    /import\s*\{([^}]*)\}\s*from\s*"(@trpc\/[^"]+)"/g,
  )) {
    imports[from] = names.split(",").map((name) => name.trim().split(/\s+as\s+/)[0] ?? "");
  }
  return imports;
}

describe("@trpc/tanstack-react-query 11.22.1 over @trpc/client and @trpc/server 11.25.2", () => {
  it("fetches a query through queryOptions, under the key tRPC documents", async () => {
    const { queryClient, trpc } = createApi();
    const options = trpc.users.byId.queryOptions({ id: 2 });

    expect(options.queryKey).toEqual([["users", "byId"], { input: { id: 2 }, type: "query" }]);
    expect(trpc.users.byId.queryKey({ id: 2 })).toEqual(options.queryKey);
    expect(await queryClient.fetchQuery(options)).toEqual({ id: 2, name: "Grace" });
    expect(queryClient.getQueryData(trpc.users.byId.queryKey({ id: 2 }))).toEqual({ id: 2, name: "Grace" });
  });

  it("sends the queries that start together as one batched request", async () => {
    const { queryClient, trpc, requests } = createApi();
    const [ada, grace] = await Promise.all([
      queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 1 })),
      queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 2 })),
    ]);

    expect([ada.name, grace.name]).toEqual(["Ada", "Grace"]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/\/trpc\/users\.byId,users\.byId\?batch=1/);
  });

  it("pages with infiniteQueryOptions, passing each page's cursor", async () => {
    const { queryClient, trpc } = createApi();
    const options = trpc.users.list.infiniteQueryOptions(
      { limit: 2 },
      { getNextPageParam: (page) => page.nextCursor },
    );
    expect(options.queryKey).toEqual([["users", "list"], { input: { limit: 2 }, type: "infinite" }]);

    const first = await queryClient.fetchInfiniteQuery(options);
    expect(first.pages.map((page) => page.items.map((user) => user.id))).toEqual([[1, 2]]);
    const twoPages = await queryClient.fetchInfiniteQuery({ ...options, pages: 2 });
    expect(twoPages.pages.map((page) => page.items.map((user) => user.id))).toEqual([[1, 2], [3]]);
  });

  it("runs a mutation through mutationOptions, under its path as key", async () => {
    const { queryClient, trpc } = createApi();
    const options = trpc.users.create.mutationOptions();
    expect(options.mutationKey).toEqual([["users", "create"]]);

    const created = await new MutationObserver(queryClient, options).mutate({ name: "Barbara" });
    expect(created).toEqual({ id: 99, name: "Barbara" });
  });

  it("filters by path and by input for invalidation, as the forms do after a save", async () => {
    const { queryClient, trpc } = createApi();
    const list = trpc.users.list.infiniteQueryOptions(
      { limit: 2 },
      { getNextPageParam: (page) => page.nextCursor },
    );
    await Promise.all([
      queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 1 })),
      queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 2 })),
      queryClient.fetchInfiniteQuery(list),
    ]);
    expect(trpc.users.list.pathFilter()).toEqual({ queryKey: [["users", "list"]] });

    await queryClient.invalidateQueries(trpc.users.list.pathFilter(), { cancelRefetch: false });
    await queryClient.invalidateQueries(trpc.users.byId.queryFilter({ id: 1 }), { cancelRefetch: false });
    const invalidated = queryClient
      .getQueryCache()
      .findAll({ predicate: (query) => query.state.isInvalidated })
      .map((query) => query.queryKey);
    expect(invalidated).toHaveLength(2);
    expect(invalidated).toEqual(expect.arrayContaining([list.queryKey, trpc.users.byId.queryKey({ id: 1 })]));
  });

  it("rejects with the TRPCClientError and code the app's error handling reads", async () => {
    const { queryClient, trpc } = createApi();
    const error = await queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 404 })).catch((e) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });
  });

  it("serves useTRPC() from createTRPCContext's provider to a component's useQuery", async () => {
    const { client, queryClient } = createApi();
    const { TRPCProvider, useTRPC } = createTRPCContext<TestRouter>();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={client} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    );
    const { result } = renderHook(() => useQuery(useTRPC().users.byId.queryOptions({ id: 3 })), { wrapper });
    await waitFor(() => expect(result.current.data).toEqual({ id: 3, name: "Edsger" }));
  });

  it("serves useTRPCClient() the provider's client, for calls the app reshapes before caching", async () => {
    const { client, queryClient, requests } = createApi();
    const { TRPCProvider, useTRPCClient } = createTRPCContext<TestRouter>();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={client} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    );
    const { result } = renderHook(() => useTRPCClient(), { wrapper });
    expect(result.current).toBe(client);
    expect(await result.current.users.byId.query({ id: 1 })).toEqual({ id: 1, name: "Ada" });
    expect(requests).toHaveLength(1);
  });

  it("calls procedures in-process with the router, through 11.25.2's callTRPCProcedure", async () => {
    const queryClient = new QueryClient();
    const trpc = createTRPCOptionsProxy<TestRouter>({ router, ctx: {}, queryClient });
    expect(await queryClient.fetchQuery(trpc.users.byId.queryOptions({ id: 1 }))).toEqual({
      id: 1,
      name: "Ada",
    });
  });

  it("imports from @trpc/* only functions that the installed 11.25.2 packages export", async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("@trpc/tanstack-react-query");
    const imports = trpcImportsOf(await readFile(join(dirname(entry), "index.mjs"), "utf8"));
    // What 11.22.1 imports; a release that imports more shows up here first.
    expect(imports).toEqual({
      "@trpc/client": ["TRPCUntypedClient", "getUntypedClient"],
      "@trpc/server": ["callTRPCProcedure", "createTRPCRecursiveProxy"],
      "@trpc/server/unstable-core-do-not-import": ["isAsyncIterable", "isFunction", "isObject", "run"],
    });
    for (const [from, names] of Object.entries(imports)) {
      const module: Record<string, unknown> = await import(/* @vite-ignore */ from);
      for (const name of names) expect([from, name, typeof module[name]]).toEqual([from, name, "function"]);
    }
  });

  it("shares the app's @trpc/client, so a client passes its instanceof TRPCUntypedClient check", async () => {
    const fromWeb = createRequire(import.meta.url);
    const fromTanstack = createRequire(fromWeb.resolve("@trpc/tanstack-react-query"));
    for (const name of ["@trpc/client", "@trpc/server"]) {
      expect(realpathSync(fromTanstack.resolve(name))).toBe(realpathSync(fromWeb.resolve(name)));
    }
    const { TRPCUntypedClient, getUntypedClient } = await import("@trpc/client");
    expect(getUntypedClient(createApi().client)).toBeInstanceOf(TRPCUntypedClient);
  });
});
