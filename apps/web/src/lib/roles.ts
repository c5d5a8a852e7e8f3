import type { UserRole } from "@app/api/schemas";

/** The roles an admin picks from, in the words a person reads. */
export const roleOptions: readonly { value: UserRole; label: string }[] = [
  { value: "user", label: "User: their own account and items" },
  { value: "admin", label: "Admin: every account and item" },
];
