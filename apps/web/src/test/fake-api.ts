import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";

/** What a fake procedure does: return a result, or throw `apiError(…)` to answer with an error. */
export type FakeProcedure = (input: unknown) => unknown;

export class FakeApiError extends Error {
  readonly code: "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT";
  readonly fieldErrors: Record<string, string[]>;

  constructor(code: FakeApiError["code"], message: string, fieldErrors: Record<string, string[]> = {}) {
    super(message);
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

const httpStatus = { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409 } as const;

function toWire(error: FakeApiError) {
  const zodError =
    Object.keys(error.fieldErrors).length > 0 ? { formErrors: [], fieldErrors: error.fieldErrors } : null;
  return {
    error: {
      message: error.message,
      code: -32000,
      data: { code: error.code, httpStatus: httpStatus[error.code], zodError },
    },
  };
}

/**
 * A tRPC client whose "server" is a map of procedure names to functions, speaking tRPC's batch
 * wire format, so components run their real query and mutation code. `calls` records each call.
 */
export function createFakeApi(procedures: Record<string, FakeProcedure>) {
  const calls: { path: string; input: unknown }[] = [];
  const fakeFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const parsed = new URL(String(url));
    const paths = decodeURIComponent(parsed.pathname.replace(/^\/trpc\//, "")).split(",");
    const rawInputs: unknown =
      init?.method === "POST"
        ? JSON.parse(String(init.body))
        : JSON.parse(parsed.searchParams.get("input") ?? "{}");
    const inputs =
      typeof rawInputs === "object" && rawInputs !== null ? (rawInputs as Record<string, unknown>) : {};
    const results = paths.map((path, index) => {
      const input = inputs[String(index)];
      calls.push({ path, input });
      const procedure = procedures[path];
      if (!procedure) return toWire(new FakeApiError("NOT_FOUND", `No procedure ${path}`));
      try {
        return { result: { data: procedure(input) } };
      } catch (error) {
        if (error instanceof FakeApiError) return toWire(error);
        throw error;
      }
    });
    return new Response(JSON.stringify(results), {
      status: 207,
      headers: { "content-type": "application/json" },
    });
  };
  const client = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "http://fake.test/trpc", fetch: fakeFetch })],
  });
  return { client, calls };
}
