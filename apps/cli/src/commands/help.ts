import type { Command } from "../command.ts";

const header = `Usage: cli <command> [options]

Talks to a running users-items server through its typed client.
`;

const footer = `
Options for every command:
  --url URL   the server (default: $API_URL, else http://127.0.0.1:8000)
  --json      machine-readable output: one JSON document on stdout (watch: one change a line)
  -h, --help  this help

Signing in: \`login\` keeps an API token for the server in
$XDG_CONFIG_HOME/users-items/credentials.json (else ~/.config/users-items/…; mode 0600;
$USERS_ITEMS_CREDENTIALS moves it). API_TOKEN, when set, is sent instead. For scripts:
  printf '%s\\n' "$PASSWORD" | cli login --email EMAIL --password-stdin

Exit codes: 0 done, 1 server failed or unreachable, 2 usage error,
3 refused by the server (not found, conflict, invalid input; for import: some rows rejected;
for watch: the changes after --after were pruned),
4 not signed in (run \`cli login\` or set API_TOKEN; at login: wrong email or password),
5 needs an admin (users list and create, import, export), 130 cancelled.
watch runs until Ctrl-C, which exits 0; a lost connection is retried (said on stderr) and
resumes after the last change printed.
`;

/** The help text: every command whose words start with `prefix` (all of them when it is empty). */
export function formatHelp(commands: ReadonlyArray<Command>, prefix: ReadonlyArray<string>): string {
  const shown = commands.filter((command) => prefix.every((word, index) => command.words[index] === word));
  const list = shown.length > 0 ? shown : commands;
  const lines = list.map((command) => `  ${command.usage}\n      ${command.summary}`);
  return `${header}\nCommands:\n${lines.join("\n")}\n${footer}`;
}
