import { hashPassword } from "@app/api";
import { ConflictError, type Orm, users } from "@app/db";

export type AdminAccount = { email: string; password: string };

/**
 * ADMIN_EMAIL + ADMIN_PASSWORD at start-up: the account is created with that password if it is
 * missing, and made an admin if it is not one. An existing account keeps its password. Several
 * servers starting at once agree: the unique email decides who creates it.
 */
export async function ensureAdminAccount(
  orm: Orm,
  admin: AdminAccount,
): Promise<"created" | "promoted" | "unchanged"> {
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
  await orm.em.fork().transactional((em) => users.updateUser(em, { id: account.id, role: "admin" }));
  return "promoted";
}
