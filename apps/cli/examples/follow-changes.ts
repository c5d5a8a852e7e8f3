// Follows every change to users and items as it commits, through the typed client's subscription.
//
//   API_URL=http://127.0.0.1:8000 API_TOKEN=uit_… node apps/cli/examples/follow-changes.ts [AFTER [COUNT]]
//
// It prints the changes after the id AFTER (none given: from now on), then each new one as it is
// committed through any server that shares the database, and stops after COUNT of them or at
// Ctrl-C. An admin's token sees every change; a user's, those to their own account and items.
// test/follow-changes.test.ts runs it against a real server, so it cannot rot. `cli watch` is the
// same with reconnection messages, backoff and output formats around it.
//
// `changes.onChange` is a tRPC subscription over server-sent events. Each event is `tracked`: its
// `id` is the change's id, and when the connection drops (a server restarting, say) the link
// reconnects by itself, sending the last id it received, and the server resumes right after it:
// nothing missed, nothing twice. What reaches `onError` has ended the subscription for good.
import { createClient, isClientError, type RouterOutputs } from "@app/client";

type Change = RouterOutputs["changes"]["list"]["items"][number];

const token = process.env.API_TOKEN;
if (!token) {
  console.error("Set API_TOKEN to a token (from auth.tokens.create, or auth.signIn's answer).");
  process.exit(4);
}
const client = createClient({ url: process.env.API_URL || "http://127.0.0.1:8000", token });
const [after, count] = process.argv.slice(2).map(Number);

/** `#42 item 7 update: title "Pen" → "Blue pen"`: every field of a Change is typed from the router. */
function describe(change: Change): string {
  const fields = Object.entries(change.fields ?? {}).map(
    ([field, [before, now]]) => `${field} ${JSON.stringify(before)} → ${JSON.stringify(now)}`,
  );
  return `#${change.id} ${change.entity} ${change.entityId} ${change.op}${fields.length > 0 ? `: ${fields.join(", ")}` : ""}`;
}

let received = 0;
const subscription = client.changes.onChange.subscribe(after === undefined ? {} : { after }, {
  onStarted: () => console.error("following changes (Ctrl-C to stop)"),
  onData: ({ data: change }) => {
    console.log(describe(change));
    received += 1;
    if (received === count) subscription.unsubscribe();
  },
  onError: (error) => {
    // PRECONDITION_FAILED: the changes after AFTER were pruned (CHANGES_RETENTION_DAYS), so
    // resuming there would skip some. UNAUTHORIZED: the token was refused, or its session ended.
    const code = isClientError(error) ? error.data?.code : undefined;
    console.error(code === "PRECONDITION_FAILED" ? `${error.message} (start without AFTER)` : error.message);
    process.exitCode = code === "UNAUTHORIZED" ? 4 : 1;
  },
});

// Unsubscribing closes the stream; with nothing left to wait for, Node exits (code 0).
process.once("SIGINT", () => subscription.unsubscribe());
