/** A user as the API returns it, with fixed timestamps. */
export function fakeUser(overrides: { id: number; name: string; email: string; version?: number }) {
  return {
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    version: 1,
    items: [],
    ...overrides,
  };
}
