import type autocannon from "autocannon";

export type Scenario = {
  name: string;
  /** Reads each request makes: 10 for the batch, so its reads/s can be compared with single reads. */
  callsPerRequest: number;
  /** A fresh request description per call: random ids, unique emails. */
  request(): autocannon.Request;
  /** Adds rows: measured after every read, so reads see the seeded data. */
  writes?: true;
};

export type ScenarioData = {
  users: number;
  /** `Bearer <token>` of the admin every request calls as (servers without accounts ignore it). */
  authorization?: string | undefined;
};

const batchSize = 10;
/** Distinct per bench process, so creates never collide with rows of an earlier run on a reused file. */
const runStamp = Date.now().toString(36);
let created = 0;

function randomUserId(data: ScenarioData): number {
  return 1 + Math.floor(Math.random() * data.users);
}

function trpcGet(path: string, input: unknown, batch = false): string {
  return `/trpc/${path}?${batch ? "batch=1&" : ""}input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** The scenarios, in run order: reads first, so creates do not change what reads see. */
export function buildScenarios(data: ScenarioData): Scenario[] {
  const auth: Record<string, string> = data.authorization ? { authorization: data.authorization } : {};
  const json = { ...auth, "content-type": "application/json" };
  const get = (path: () => string) => (): autocannon.Request => ({
    method: "GET",
    path: path(),
    headers: auth,
  });
  return [
    {
      name: "users.byId",
      callsPerRequest: 1,
      request: get(() => trpcGet("users.byId", { id: randomUserId(data) })),
    },
    {
      name: "users.byId x10 batch",
      callsPerRequest: batchSize,
      request: get(() => {
        const paths = Array.from({ length: batchSize }, () => "users.byId").join(",");
        const inputs = Object.fromEntries(
          Array.from({ length: batchSize }, (_, i) => [i, { id: randomUserId(data) }]),
        );
        return trpcGet(paths, inputs, true);
      }),
    },
    {
      name: "users.list",
      callsPerRequest: 1,
      request: get(() => {
        // A full page of 20 from anywhere in the table; cursor 0 is the first page.
        const cursor = Math.floor(Math.random() * Math.max(1, data.users - 20));
        return trpcGet("users.list", { limit: 20, cursor: cursor || null, withItems: true });
      }),
    },
    {
      name: "GET /api/users/{id}",
      callsPerRequest: 1,
      request: get(() => `/api/users/${randomUserId(data)}`),
    },
    {
      name: "users.create",
      callsPerRequest: 1,
      writes: true,
      request: () => {
        created++;
        const body = { name: `Bench ${created}`, email: `bench-${runStamp}-${created}@example.com` };
        return { method: "POST", path: "/trpc/users.create", headers: json, body: JSON.stringify(body) };
      },
    },
    {
      name: "items.create",
      callsPerRequest: 1,
      writes: true,
      request: () => {
        const body = { userId: randomUserId(data), title: "Bench item", description: "Created under load" };
        return { method: "POST", path: "/trpc/items.create", headers: json, body: JSON.stringify(body) };
      },
    },
  ];
}
