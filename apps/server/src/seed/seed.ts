import { randomBytes } from "node:crypto";
import { setImmediate } from "node:timers/promises";
import { hashPassword } from "@app/api";
import { itemDescription, itemTitle, userEmail, userName } from "@app/api/schemas";
import { items, type Orm, users } from "@app/db";
import { type DemoPerson, demoPeople } from "./demo-data.ts";

export type SeedOptions = {
  /** The same seed gives the same people and items (on an empty database). */
  seed: number;
  /** How many demo people, besides the admin. */
  users: number;
  /** Add to a database that already has accounts, instead of refusing. */
  force: boolean;
  /** Called after each batch is committed. */
  onProgress?: (done: { users: number; items: number }, total: number) => void;
};

export type Credentials = { email: string; password: string };

export type SeedResult = {
  /** Accounts created: the demo people and the admin. */
  users: number;
  items: number;
  admin: Credentials;
  /** The first demo person, who is given a password too so that a user's view can be tried. */
  member: Credentials;
};

/** Seeding refused: the database already has accounts, and `force` was not given. */
export class DatabaseNotEmptyError extends Error {
  override name = "DatabaseNotEmptyError";
  readonly users: number;

  constructor(users: number) {
    super(`the database already has ${users} account${users === 1 ? "" : "s"}`);
    this.users = users;
  }
}

/** People per transaction: small enough that a running server is held up for a moment at most. */
const batchSize = 25;

/**
 * Fills the database with demo people and their items, plus an admin, through the repositories
 * the API writes with: the same normalization (names trimmed, emails lower-cased by the API's
 * schemas), and every record in the change log (with no actor, like the server's own start-up
 * writes), so a running server's live views show them arrive. Passwords are random, never
 * derived from the seed, and stored only as their argon2id hashes.
 */
export async function seedDatabase(orm: Orm, options: SeedOptions): Promise<SeedResult> {
  const existing = await countUsers(orm);
  if (existing > 0 && !options.force) throw new DatabaseNotEmptyError(existing);
  const people = await peopleWithFreeEmails(orm, options.seed, options.users);
  const [first] = people;
  if (!first) throw new RangeError("seeding needs at least one demo user");
  const admin = { email: await freeEmail(orm, "admin", "example.com"), password: newPassword() };
  const member = { email: userEmail.parse(first.email), password: newPassword() };
  const [adminHash, memberHash] = await Promise.all([
    hashPassword(admin.password),
    hashPassword(member.password),
  ]);
  await orm.em.fork().transactional(async (em) => {
    await users.createUser(em, {
      name: "Demo Admin",
      email: admin.email,
      role: "admin",
      passwordHash: adminHash,
    });
  });
  const done = { users: 0, items: 0 };
  for (let start = 0; start < people.length; start += batchSize) {
    const batch = people.slice(start, start + batchSize);
    await orm.em.fork().transactional(async (em) => {
      for (const person of batch) {
        const email = userEmail.parse(person.email);
        const passwordHash = person === first ? memberHash : null;
        const user = await users.createUser(em, { name: userName.parse(person.name), email, passwordHash });
        for (const item of person.items) {
          await items.createItem(em, {
            userId: user.id,
            title: itemTitle.parse(item.title),
            description: itemDescription.parse(item.description),
          });
        }
      }
    });
    done.users += batch.length;
    done.items += batch.reduce((sum, person) => sum + person.items.length, 0);
    options.onProgress?.({ ...done }, people.length);
    // On SQLite every await above resolves without the event loop turning, so a signal (Ctrl-C)
    // would wait for the whole run: let it in between batches.
    await setImmediate();
  }
  return { users: done.users + 1, items: done.items, admin, member };
}

async function countUsers(orm: Orm): Promise<number> {
  const [row] = await orm.em.fork().execute<{ n: number | string }[]>("select count(*) as n from users");
  return Number(row?.n ?? 0);
}

/**
 * The demo people for `seed`, their emails clear of the accounts already there: each email taken
 * gets a number (ana.silva2@…), checked again until none is taken.
 */
async function peopleWithFreeEmails(orm: Orm, seed: number, count: number): Promise<DemoPerson[]> {
  const taken = new Set<string>();
  for (;;) {
    const people = demoPeople(seed, count, taken);
    const found = await existingEmails(
      orm,
      people.map((person) => person.email),
    );
    if (found.length === 0) return people;
    for (const email of found) taken.add(email);
  }
}

async function existingEmails(orm: Orm, emails: string[]): Promise<string[]> {
  const em = orm.em.fork();
  const found: string[] = [];
  for (let start = 0; start < emails.length; start += 200) {
    const chunk = emails.slice(start, start + 200);
    const rows = await em.execute<{ email: string }[]>(
      `select email from users where email in (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    found.push(...rows.map((row) => row.email));
  }
  return found;
}

/** `local@domain`, or `local2@domain`, `local3@domain`… when taken. */
async function freeEmail(orm: Orm, local: string, domain: string): Promise<string> {
  for (let n = 1; ; n++) {
    const email = `${local}${n === 1 ? "" : n}@${domain}`;
    if (!(await users.findCredentials(orm.em.fork(), email))) return email;
  }
}

/** 16 random characters (96 bits): shown once, never derived from the seed. */
function newPassword(): string {
  return randomBytes(12).toString("base64url");
}
