/** A user as the API returns it, with fixed timestamps; a plain "user" unless told otherwise. */
export function fakeUser(overrides: {
  id: number;
  name: string;
  email: string;
  version?: number;
  role?: "user" | "admin";
}) {
  return {
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    version: 1,
    role: "user" as const,
    items: [],
    ...overrides,
  };
}

/** An item of `ownerId`, as the API returns it. */
export function fakeItem(overrides: { id: number; title: string; ownerId: number; description?: string }) {
  return {
    description: null,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...overrides,
  };
}
