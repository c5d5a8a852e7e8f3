// A script that talks to the server through the typed client, without the CLI around it.
//
//   API_URL=http://127.0.0.1:8000 API_TOKEN=uit_… node apps/cli/examples/users-report.ts
//
// It creates a user with two items (unless that email is taken), then walks every page of users
// and prints how many items each has. Every call is typed from the server's router: a typo in a
// procedure name or a field is a compile error (`npm run typecheck`), not a runtime surprise.
// test/example.test.ts runs it against a real server, so it cannot rot.
//
// Creating a user and listing every user are an admin's calls: API_TOKEN must be an admin's token,
// an API token from `auth.tokens.create` or the `token` that `auth.signIn` answers. It is read from
// the environment, never written in the code; the client sends it as `Authorization: Bearer`.
import { createClient, isClientError, type RouterOutputs } from "@app/client";

type User = RouterOutputs["users"]["list"]["items"][number];

const token = process.env.API_TOKEN;
if (!token) {
  console.error("Set API_TOKEN to an admin's token (from auth.tokens.create, or auth.signIn's answer).");
  process.exit(4);
}
const client = createClient({ url: process.env.API_URL || "http://127.0.0.1:8000", token });

try {
  const ann = await client.users.create.mutate({ name: "Ann Example", email: "ann@example.com" });
  // Two calls in the same tick travel in one HTTP request; each is still its own transaction.
  await Promise.all([
    client.items.create.mutate({ userId: ann.id, title: "Notebook", description: "A5, dotted" }),
    client.items.create.mutate({ userId: ann.id, title: "Fountain pen" }),
  ]);
} catch (error) {
  // A taken email is a CONFLICT the script can expect on its second run; anything else is not.
  if (!isClientError(error) || error.data?.code !== "CONFLICT") throw error;
  console.log(`skipped creating: ${error.message}`);
}

// Keyset pagination: pass the previous page's nextCursor until it is null.
let cursor: number | null = null;
do {
  const page: { items: User[]; nextCursor: number | null } = await client.users.list.query({
    limit: 100,
    cursor,
    withItems: true,
  });
  for (const user of page.items) console.log(`${user.email}: ${user.items?.length ?? 0} items`);
  cursor = page.nextCursor;
} while (cursor !== null);
