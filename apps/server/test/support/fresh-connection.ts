import http, { type ClientRequest, type IncomingMessage } from "node:http";

/**
 * HTTP over a connection of its own (node:http, no agent): a cluster's primary hands each new
 * connection to the next worker, so a test that wants to reach several workers opens several
 * connections. (fetch keeps its connections alive and reuses them.)
 */
export function requestOnNewConnection(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: string }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: options.method ?? (body === undefined ? "GET" : "POST"),
      headers: { ...(body !== undefined && { "content-type": "application/json" }), ...options.headers },
      agent: false,
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      response.on("error", reject);
    });
    request.end(body);
  });
}

/**
 * A JSON POST whose body is only half sent: the request is in flight on the server until
 * `finish()` sends the rest, which resolves with the response.
 */
export function halfSentPost(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): { finish(): Promise<{ status: number; body: string }>; request: ClientRequest } {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const request = http.request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    },
    agent: false,
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.on("response", resolve);
    request.on("error", reject);
  });
  // A request that is never finished (the server goes away) must not be an unhandled rejection.
  answered.catch(() => {});
  request.write(text.slice(0, half));
  return {
    request,
    async finish() {
      request.end(text.slice(half));
      const response = await answered;
      let received = "";
      response.setEncoding("utf8");
      for await (const chunk of response) received += chunk;
      return { status: response.statusCode ?? 0, body: received };
    },
  };
}

/** An event stream (server-sent events) on a connection of its own: each event's `data`, parsed. */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const { request, response } = await new Promise<{ request: ClientRequest; response: IncomingMessage }>(
    (resolve, reject) => {
      const request = http.get(url, { headers, agent: false });
      request.on("response", (response) => resolve({ request, response }));
      request.on("error", reject);
    },
  );
  const events: unknown[] = [];
  let buffer = "";
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice("data: ".length))
        .join("\n");
      if (data !== "") events.push(JSON.parse(data));
    }
  });
  response.on("error", () => {});
  return { status: response.statusCode, events, close: () => request.destroy() };
}
