import pg from "pg";

/** Reconnecting after a lost LISTEN connection waits this long (the feed's timer covers the gap). */
const retryMs = 1_000;

/**
 * PostgreSQL's wake-up for the change feed: a connection of its own (not one of the pool's) that
 * LISTENs on `changes`, which every writing transaction NOTIFYs at commit
 * (repositories/changes.ts). A lost connection is re-opened after a second, and the feed is woken
 * then too, for anything committed while it was away.
 */
export async function listenForChanges(url: string, onWake: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, retryMs);
    retry.unref();
  };
  const connect = async () => {
    const next = new pg.Client({ connectionString: url, application_name: "users-items-rpc listen" });
    next.on("notification", onWake);
    next.on("error", reconnect);
    next.on("end", reconnect);
    client = next;
    try {
      await next.connect();
      await next.query("listen changes");
      if (closed) await next.end();
      else onWake();
    } catch {
      next.end().catch(() => {});
      reconnect();
    }
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
