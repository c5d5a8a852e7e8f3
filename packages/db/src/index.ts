export type { EntityManager } from "@mikro-orm/sql";
export { cliOrmOptions } from "./cli/options.ts";
export { type CreateOrmOptions, connectionDefaults, createOrm, type Orm, ormOptions } from "./create-orm.ts";
export {
  type DatabaseTarget,
  DatabaseUrlError,
  type Dialect,
  parseDatabaseUrl,
  redact,
} from "./database-url.ts";
export { ApiToken } from "./entities/api-token.ts";
export { Change, ChangeHead } from "./entities/change.ts";
export { Item } from "./entities/item.ts";
export { Session } from "./entities/session.ts";
export { SignInAttempt } from "./entities/sign-in-attempt.ts";
export { type Role, roles, User } from "./entities/user.ts";
export { ConflictError, RecordNotFoundError } from "./errors.ts";
export { type LockStats, lockStatsOf } from "./lock-stats.ts";
export { migrateToLatest } from "./migrate.ts";
export { type PoolStats, poolStatsOf } from "./pool-stats.ts";
export { schemaProblem } from "./readiness.ts";
export type { ApiTokenView } from "./repositories/api-tokens.ts";
export * as apiTokens from "./repositories/api-tokens.ts";
export type {
  ChangeEntity,
  ChangeOp,
  ChangeView,
  FieldChanges,
  NewChange,
} from "./repositories/changes.ts";
export * as changes from "./repositories/changes.ts";
export type { ItemView } from "./repositories/items.ts";
export * as items from "./repositories/items.ts";
export type { Page, PageQuery } from "./repositories/pagination.ts";
export type { CallerRecord, CredentialKind } from "./repositories/sessions.ts";
export * as sessions from "./repositories/sessions.ts";
export * as signInAttempts from "./repositories/sign-in-attempts.ts";
export type { UserView } from "./repositories/users.ts";
export * as users from "./repositories/users.ts";
export { type StorageFault, storageFaultOf } from "./storage-errors.ts";
export { isTransientDatabaseError } from "./transient-errors.ts";
export { inWriteTransaction, type TransactionWork } from "./write-transactions.ts";
