import { hashPassword, verifyPassword } from "@app/api";
import { ConflictError, type Orm, users } from "@app/db";

export type AdminAccount = { email: string; password: string };

export type AdminOutcome = "created" | "promoted" | "unchanged" | "refused";

/**
 * ADMIN_EMAIL + ADMIN_PASSWORD at start-up: the account is created with that password if it is
 * missing. An existing account that is not an admin is made one only if ADMIN_PASSWORD is its
 * password: anyone may sign up with an email the operator has not claimed yet (or one the admin
 * moved away from), and must not become admin at the next restart ("refused", logged). Several
 * servers starting at once agree: the unique email decides who creates it.
 */
export async function ensureAdminAccount(orm: Orm, admin: AdminAccount): Promise<AdminOutcome> {
  const existing = await users.findCredentials(orm.em.fork(), admin.email);
  if (!existing) {
    const passwordHash = await hashPassword(admin.password);
    try {
      await orm.em
        .fork()
        .transactional((em) =>
          users.createUser(em, { name: "Admin", email: admin.email, role: "admin", passwordHash }),
        );
      return "created";
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another server created it meanwhile.
    }
  }
  const account = await users.findCredentials(orm.em.fork(), admin.email);
  if (!account) throw new Error(`the admin account ${admin.email} vanished while starting`);
  const current = await users.getAccount(orm.em.fork(), account.id);
  if (current.role === "admin") return "unchanged";
  if (!account.passwordHash || !(await verifyPassword(admin.password, account.passwordHash)))
    return "refused";
  await orm.em.fork().transactional((em) => users.updateUser(em, { id: account.id, role: "admin" }));
  return "promoted";
}
