export type { EntityManager } from "@mikro-orm/sql";
export { type CreateOrmOptions, connectionDefaults, createOrm, type Orm } from "./create-orm.ts";
export {
  type DatabaseTarget,
  DatabaseUrlError,
  type Dialect,
  parseDatabaseUrl,
  redact,
} from "./database-url.ts";
export { Item } from "./entities/item.ts";
export { User } from "./entities/user.ts";
export { ConflictError, RecordNotFoundError } from "./errors.ts";
export { migrateToLatest } from "./migrate.ts";
export type { ItemView } from "./repositories/items.ts";
export * as items from "./repositories/items.ts";
export type { Page, PageQuery } from "./repositories/pagination.ts";
export type { UserView } from "./repositories/users.ts";
export * as users from "./repositories/users.ts";
export { isTransientDatabaseError } from "./transient-errors.ts";
