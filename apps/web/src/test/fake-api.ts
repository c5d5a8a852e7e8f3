import type { AppRouter } from "@app/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";

/** What a fake procedure does: return a result, or throw `apiError(…)` to answer with an error. */
export type FakeProcedure = (input: unknown) => unknown;

const httpStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export class FakeApiError extends Error {
  readonly code: keyof typeof httpStatus;
  readonly fieldErrors: Record<string, string[]>;
  /** Headers the answer carries, e.g. `Retry-After` with a 429. */
  readonly headers: Record<string, string>;

  constructor(
    code: FakeApiError["code"],
    message: string,
    {
      fieldErrors = {},
      headers = {},
    }: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.headers = headers;
  }
}

/** The server's answer to any call made without a session. */
export const signedOut = () => new FakeApiError("UNAUTHORIZED", "Sign in first");

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
  /** The headers of every request, to check what the app sends (never an Authorization header). */
  const requestHeaders: Headers[] = [];
  const fakeFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const parsed = new URL(String(url));
    const paths = decodeURIComponent(parsed.pathname.replace(/^\/trpc\//, "")).split(",");
    const rawInputs: unknown =
      init?.method === "POST"
        ? JSON.parse(String(init.body))
        : JSON.parse(parsed.searchParams.get("input") ?? "{}");
    const inputs =
      typeof rawInputs === "object" && rawInputs !== null ? (rawInputs as Record<string, unknown>) : {};
    requestHeaders.push(new Headers(init?.headers));
    const headers = new Headers({ "content-type": "application/json" });
    const results = paths.map((path, index) => {
      const input = inputs[String(index)];
      calls.push({ path, input });
      const procedure = procedures[path];
      if (!procedure) return toWire(new FakeApiError("NOT_FOUND", `No procedure ${path}`));
      try {
        return { result: { data: procedure(input) } };
      } catch (error) {
        if (!(error instanceof FakeApiError)) throw error;
        for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
        return toWire(error);
      }
    });
    return new Response(JSON.stringify(results), { status: 207, headers });
  };
  const client = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "http://fake.test/trpc", fetch: fakeFetch })],
  });
  return { client, calls, requestHeaders };
}
