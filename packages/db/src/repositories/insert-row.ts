import {
  type DriverException,
  type EntityManager,
  type EntityMetadata,
  type EntityName,
  type EntityProperty,
  type InferEntity,
  type InferKyselyDB,
  ReferenceKind,
  type RequiredEntityData,
} from "@mikro-orm/sql";
import type { CompiledQuery, Kysely, QueryResult } from "kysely";
import type { Database, Entity, Row } from "./kysely.ts";

type TableOf<E extends Entity> = keyof InferKyselyDB<E> & keyof Database;

type RequiredData<E extends Entity> = RequiredEntityData<InferEntity<E>>;

type Unbranded<T> = T extends string
  ? string & T
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : never;

/**
 * A new record's data by property name, as `em.create` requires it: the values the entity
 * declares (onCreate hooks, the version) may be left out. Relations by primary key, no raw SQL.
 */
export type NewRecord<E extends Entity> = {
  [K in keyof RequiredData<E>]:
    | Exclude<RequiredData<E>[K], object>
    | Extract<RequiredData<E>[K], Date>
    // A scalar the ORM brands (a declared default, a hidden property) is still that scalar.
    | Unbranded<Extract<RequiredData<E>[K], string | number | boolean>>;
};

/**
 * Inserts one record in a single INSERT, in the call's transaction, and returns its row with the
 * values written: a new row has no state worth tracking, and the ORM's create-and-flush costs
 * several times the statement (docs/decisions/006-reads-through-kysely.md).
 * Values the entity declares are filled in as the ORM would (its onCreate hooks, in property
 * order, then the version's first value), stored as the ORM stores them (`processDateProperty`:
 * milliseconds on SQLite, UTC DATETIME on MariaDB). Driver errors come back converted by the ORM,
 * so callers test for its exception classes.
 *
 * @example const row = await insertRow(em, User, { name: "Ann", email: "ann@example.com" });
 */
export async function insertRow<E extends Entity>(
  em: EntityManager,
  entity: E,
  record: NewRecord<E>,
): Promise<Row<TableOf<E>>> {
  const plan = insertPlanOf(em.getMetadata().get(entity as EntityName));
  const platform = em.getPlatform();
  // The record as the entity's hooks see it: an earlier property's value is there for a later hook.
  const values: Record<string, unknown> = { ...record };
  const row: Record<string, unknown> = {};
  const stored: Record<string, unknown> = {};
  for (const column of plan.columns) {
    let value = values[column.property];
    if (value === undefined) value = values[column.property] = column.initial(values, em);
    row[column.name] = value;
    stored[column.name] = column.isDate && value != null ? platform.processDateProperty(value) : value;
  }
  row[plan.id] = await insertedId(em, plan, stored);
  return row as Row<TableOf<E>>;
}

type InsertColumn = {
  property: string;
  name: string;
  isDate: boolean;
  /** The value of a property the record leaves out. */
  initial: (values: Record<string, unknown>, em: EntityManager) => unknown;
};

type InsertPlan = {
  table: string;
  id: string;
  columns: InsertColumn[];
  /** The INSERT, compiled on first use with a placeholder per column, in `columns` order. */
  compiled?: CompiledQuery<AnyRow>;
};

// Metadata is per ORM instance, so the plan is too; it is built on the first insert of an entity.
const insertPlans = new WeakMap<EntityMetadata, InsertPlan>();

function insertPlanOf(meta: EntityMetadata): InsertPlan {
  let plan = insertPlans.get(meta);
  if (!plan) {
    plan = planInsert(meta);
    insertPlans.set(meta, plan);
  }
  return plan;
}

function planInsert(meta: EntityMetadata): InsertPlan {
  const columns = meta.props.filter(isWritten).map((prop) => ({
    property: prop.name,
    name: columnOf(meta, prop),
    isDate: prop.runtimeType === "Date",
    initial: initialValueOf(meta, prop),
  }));
  return { table: meta.tableName, id: columnOf(meta, meta.getPrimaryProp()), columns };
}

/** Columns the INSERT writes: the entity's own, but the id the database generates. */
function isWritten(prop: EntityProperty): boolean {
  if (prop.persist === false || prop.formula || (prop.primary && prop.autoincrement)) return false;
  if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE) return true;
  return prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner;
}

function columnOf(meta: EntityMetadata, prop: EntityProperty): string {
  const [column, ...more] = prop.fieldNames;
  if (!column || more.length > 0) throw unsupported(meta, prop, "it spans more than one column");
  return column;
}

function initialValueOf(meta: EntityMetadata, prop: EntityProperty): InsertColumn["initial"] {
  if (prop.onCreate) return prop.onCreate;
  if (prop.version) {
    // The ORM leaves the version to the column's default, `defaultRaw`: "1" unless declared.
    const first = Number(prop.defaultRaw);
    if (!Number.isSafeInteger(first)) throw unsupported(meta, prop, "only numeric versions are supported");
    return () => first;
  }
  // A declared value is written as declared: the row then holds what the database would have put.
  if (prop.default !== undefined && prop.default !== null) {
    const value = prop.default;
    return () => value;
  }
  if (prop.defaultRaw !== undefined) {
    throw unsupported(meta, prop, "an SQL default would need reading back");
  }
  if (prop.nullable) return () => null;
  return () => {
    throw new TypeError(`${meta.className}.${prop.name} is required`);
  };
}

function unsupported(meta: EntityMetadata, prop: EntityProperty, why: string): Error {
  return new Error(`insertRow cannot write ${meta.className}.${prop.name}: ${why}`);
}

/** Any table, for the statement built from a plan. */
type AnyTables = Record<string, Record<string, unknown>>;

/**
 * Runs the INSERT and returns the new row's id: through RETURNING where the platform has it
 * (SQLite, PostgreSQL), else the driver's insert id (MariaDB). Driver errors come back converted.
 * The statement is compiled once per entity (its plan belongs to one ORM, so to one platform) and
 * run with each record's values: building and compiling it was about a twentieth of a create's CPU.
 */
async function insertedId(
  em: EntityManager,
  plan: InsertPlan,
  stored: Record<string, unknown>,
): Promise<number> {
  const db = em.getKysely() as Kysely<AnyTables>;
  const returning = em.getPlatform().usesReturningStatement();
  plan.compiled ??= compileInsert(db, plan, returning);
  const parameters = plan.columns.map((column) => stored[column.name]);
  let result: QueryResult<AnyRow>;
  try {
    result = await db.executeQuery<AnyRow>({ ...plan.compiled, parameters });
  } catch (error) {
    throw error instanceof Error ? (em.getDriver().convertException(error) as DriverException) : error;
  }
  const id = returning ? result.rows[0]?.[plan.id] : result.insertId;
  if (id === undefined) throw new Error(`the INSERT into ${plan.table} reported no id`);
  return Number(id);
}

type AnyRow = Record<string, unknown>;

function compileInsert(db: Kysely<AnyTables>, plan: InsertPlan, returning: boolean): CompiledQuery<AnyRow> {
  // A non-null placeholder per column, so that each becomes a bound parameter in column order.
  const placeholders = Object.fromEntries(plan.columns.map((column) => [column.name, 0]));
  const insert = db.insertInto(plan.table).values(placeholders);
  const compiled = returning ? insert.returning(plan.id).compile() : insert.compile();
  if (compiled.parameters.length !== plan.columns.length) {
    throw new Error(`the INSERT into ${plan.table} did not compile to one parameter per column`);
  }
  return compiled;
}
