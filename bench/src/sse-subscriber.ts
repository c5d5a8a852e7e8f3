import { type Agent, type ClientRequest, request } from "node:http";

/**
 * One `changes.onChange` subscription read as raw server-sent events over its own keep-alive
 * socket: no EventSource, no JSON parsing of the changes. It keeps, per event, only the change id
 * (the event's `id:` line) and when the block that carries it was complete in this process.
 */
export class SseSubscriber {
  /** Change ids in arrival order, duplicates and all: the order check needs them as they came. */
  readonly ids: number[] = [];
  /** `performance.now()` when each of `ids` arrived. */
  readonly arrivals: number[] = [];
  /** The highest id received so far (0 before any). */
  lastId = 0;
  /** Why the stream ended early, once it has: an HTTP status, tRPC's error event, a socket error. */
  ended: string | undefined;
  /** Resolves on tRPC's `connected` event; rejects if the stream ends before it. */
  readonly connected: Promise<void>;
  readonly #request: ClientRequest;
  #buffer = "";
  #closing = false;
  #onConnected: () => void = () => {};
  #onFailed: (reason: Error) => void = () => {};

  constructor(options: { url: string; after: number; token: string; agent: Agent }) {
    this.connected = new Promise<void>((resolve, reject) => {
      this.#onConnected = resolve;
      this.#onFailed = reject;
    });
    // Handled by whoever awaits it; an early end is also recorded in `ended`.
    this.connected.catch(() => {});
    const input = encodeURIComponent(JSON.stringify({ after: options.after }));
    this.#request = request(`${options.url}/trpc/changes.onChange?input=${input}`, {
      agent: options.agent,
      headers: { authorization: `Bearer ${options.token}`, accept: "text/event-stream" },
    });
    this.#request.on("response", (response) => {
      if (response.statusCode !== 200) {
        this.#end(`HTTP ${response.statusCode}`);
        response.resume();
        return;
      }
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => this.#receive(chunk, performance.now()));
      response.on("end", () => this.#end("the server ended the stream"));
      response.on("error", (error) => this.#end(error.message));
    });
    this.#request.on("error", (error) => this.#end(error.message));
    this.#request.end();
  }

  /** Closes the socket; what arrived stays readable. */
  close(): void {
    this.#closing = true;
    this.#request.destroy();
  }

  #receive(chunk: string, at: number): void {
    this.#buffer += chunk;
    // tRPC ends each event with a blank line (and one more newline): split on blank lines.
    let end = this.#buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      if (block.trim() !== "") this.#event(block, at);
      end = this.#buffer.indexOf("\n\n");
    }
  }

  #event(block: string, at: number): void {
    let event = "message";
    let id: string | undefined;
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data = line.slice(6);
    }
    if (event === "connected") this.#onConnected();
    else if (event === "serialized-error") this.#end(`error event ${data}`);
    else if (event === "return") this.#end("the subscription returned");
    else if (event === "message" && id) {
      const changeId = Number(id);
      this.ids.push(changeId);
      this.arrivals.push(at);
      if (changeId > this.lastId) this.lastId = changeId;
    }
  }

  #end(reason: string): void {
    if (this.#closing || this.ended) return;
    this.ended = reason;
    this.#onFailed(new Error(reason));
  }
}
