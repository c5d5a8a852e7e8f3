/** A user or item that the caller named does not exist. */
export class RecordNotFoundError extends Error {
  override name = "RecordNotFoundError";

  static user(id: number): RecordNotFoundError {
    return new RecordNotFoundError(`User ${id} not found`);
  }

  static item(id: number): RecordNotFoundError {
    return new RecordNotFoundError(`Item ${id} not found`);
  }
}

/** The write would break a rule another write already relies on: a taken email, a stale version. */
export class ConflictError extends Error {
  override name = "ConflictError";

  static emailTaken(email: string): ConflictError {
    return new ConflictError(`A user with email ${email} already exists`);
  }

  static staleVersion(id: number, expected: number, actual?: number): ConflictError {
    const now = actual === undefined ? "" : ` (it is now at version ${actual})`;
    return new ConflictError(`User ${id} was changed by someone else since version ${expected}${now}`);
  }
}
