import { connect, createServer, type Socket } from "node:net";

/**
 * How an outage looks to the server: `refuse` closes the listening port (a PostgreSQL restart:
 * ECONNREFUSED), `reset` drops every connection and each new one at once, `blackhole` keeps
 * every connection open and accepts new ones but carries no byte either way (a network
 * partition: only timeouts end the wait).
 */
export type OutageMode = "refuse" | "reset" | "blackhole";

export type TcpProxy = {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  /** Destroys every open connection and starts an outage of the given kind. */
  cut(mode: OutageMode): Promise<void>;
  /** Ends the outage: new connections reach the target again. */
  restore(): Promise<void>;
  /**
   * Connections forwarded, sockets destroyed by outages, and connections the client (the server
   * under test) closed itself, so far.
   */
  stats: { forwarded: number; destroyed: number; closedByClient: number };
  [Symbol.asyncDispose](): Promise<void>;
};

/** A TCP proxy on 127.0.0.1 in front of `target`, which a test can cut and restore at will. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const stats = { forwarded: 0, destroyed: 0, closedByClient: 0 };
  const destroyedHere = new WeakSet<Socket>();
  let outage: OutageMode | undefined;

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => open.delete(socket));
  };
  const listener = createServer((client) => {
    track(client);
    client.once("close", () => {
      if (!destroyedHere.has(client)) stats.closedByClient++;
    });
    if (outage === "reset") {
      stats.destroyed++;
      destroyedHere.add(client);
      client.destroy();
      return;
    }
    // In a blackhole the client stays connected, and nothing it sends goes anywhere.
    if (outage === "blackhole") return;
    stats.forwarded++;
    const upstream = connect(target);
    track(upstream);
    // Not pipe(): bytes are dropped in both directions while a blackhole lasts.
    client.on("data", (chunk: Buffer) => outage === undefined && upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => outage === undefined && client.write(chunk));
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen({ host: "127.0.0.1", port }, () => {
        listener.off("error", reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => listener.close(() => resolve()));

  await listen(0);
  const address = listener.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP address");
  const port = address.port;

  const destroyAll = () => {
    for (const socket of open) {
      stats.destroyed++;
      destroyedHere.add(socket);
      socket.destroy();
    }
  };
  return {
    port,
    stats,
    rewrite(url) {
      const rewritten = new URL(url);
      rewritten.hostname = "127.0.0.1";
      rewritten.port = String(port);
      return rewritten.toString();
    },
    async cut(mode) {
      outage = mode;
      // A partition leaves connections open, silent; a restart or a reset drops them.
      if (mode !== "blackhole") destroyAll();
      if (mode === "refuse") await stopListening();
    },
    async restore() {
      const wasRefusing = outage === "refuse";
      outage = undefined;
      // Connections left hanging in a blackhole are dropped, as a healed partition resets them.
      destroyAll();
      // The same port again, as a restarted PostgreSQL comes back on its own port.
      if (wasRefusing) await listen(port);
    },
    async [Symbol.asyncDispose]() {
      outage = "reset";
      destroyAll();
      if (listener.listening) await stopListening();
    },
  };
}
