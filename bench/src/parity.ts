import { isDeepStrictEqual } from "node:util";
import type autocannon from "autocannon";
import type { Scenario } from "./scenarios.ts";

/**
 * Sends each scenario's request once to both servers and compares the answers: reads must be
 * equal (same rows), creates must have the same shape (ids, emails and timestamps differ). A ceiling that
 * answered something else would measure something else. Returns the mismatches found.
 */
export async function checkParity(
  scenarios: Scenario[],
  urls: { project: string; raw: string },
): Promise<string[]> {
  const mismatches: string[] = [];
  for (const scenario of scenarios) {
    const request = scenario.request();
    // A create gets a request of its own per server: on PostgreSQL and MariaDB both servers
    // share one database, where the same email twice is a conflict.
    const send = async (base: string, request: autocannon.Request) => {
      const init: RequestInit = { method: request.method ?? "GET" };
      if (request.body !== undefined) init.body = request.body;
      if (request.headers) {
        init.headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === "string",
          ),
        );
      }
      const response = await fetch(`${base}${request.path ?? "/"}`, init);
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const reads = !scenario.writes;
    const [project, raw] = await Promise.all([
      send(urls.project, request),
      send(urls.raw, reads ? request : scenario.request()),
    ]);
    const same = reads ? isDeepStrictEqual(project, raw) : isDeepStrictEqual(shapeOf(project), shapeOf(raw));
    if (!same) {
      const show = (answer: unknown) => JSON.stringify(answer).slice(0, 300);
      mismatches.push(`${scenario.name}:\n  project ${show(project)}\n  raw     ${show(raw)}`);
    }
  }
  return mismatches;
}

/** Values replaced by their types, keys kept: `{ id: "number", items: [] }`. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]));
  }
  return value === null ? null : typeof value;
}
