/**
 * The one place this project reads `pg`'s private state (checked against `pg` 8.23 by
 * postgresql-prepared.test.ts, which fails if an upgrade moves it).
 *
 * A `pg` client records, per connection, the names of the statements it has prepared
 * (`client.connection.parsedStatements`, name → text) and skips the Parse step for a name found
 * there. It offers no way to forget one: after a `DEALLOCATE` the name must also leave this
 * record, or the next query under it is bound to a statement the server no longer has.
 */

/** The client's record of its prepared statements, or undefined when `pg` no longer keeps one there. */
export function parsedStatementsOf(client: object): object | undefined {
  const connection: unknown = Reflect.get(client, "connection");
  if (typeof connection !== "object" || connection === null) return undefined;
  const parsed: unknown = Reflect.get(connection, "parsedStatements");
  return typeof parsed === "object" && parsed !== null ? parsed : undefined;
}

/** Whether the server holds a statement prepared under `name` on this connection. */
export function isParsed(parsed: object, name: string): boolean {
  return Object.hasOwn(parsed, name);
}

/** Forgets `name`, so that the next query under it is prepared again. */
export function forgetParsed(parsed: object, name: string): void {
  Reflect.deleteProperty(parsed, name);
}
