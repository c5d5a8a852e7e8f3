import type { Client } from "@app/client";
import { settleInBatches } from "../batches.ts";
import { isRefusal } from "../errors.ts";
import type { ImportRow, Rejection } from "./rows.ts";

/** How an import went; `rejections` lists the first `maxListed` rejected rows, `rejected` counts all. */
export type ImportSummary = {
  rows: number;
  created: number;
  rejected: number;
  usersCreated: number;
  itemsCreated: number;
  rejections: Rejection[];
};

/** Enough to act on, while a file of bad rows still imports in bounded memory. */
export const maxListed = 1000;

export function emptySummary(): ImportSummary {
  return { rows: 0, created: 0, rejected: 0, usersCreated: 0, itemsCreated: 0, rejections: [] };
}

/** The user a row creates; the rows right after it with the same name and email add their items to it. */
type Owner = { line: number; name: string; email: string; userId?: number; reason?: string };
type Planned = { row: ImportRow; owner: Owner; createsUser: boolean };

export type ImportOptions = {
  client: Client;
  /** Calls per HTTP request: the server allows 10. */
  batchSize: number;
  /** Filled in as rows are imported, so a caller still has the counts when the server fails midway. */
  summary: ImportSummary;
  onProgress?: (summary: ImportSummary) => void;
};

/**
 * Imports rows a batch at a time and keeps going past rows the server refuses (bad input, taken
 * email); rethrows anything else (unreachable, internal error), which stops the import.
 */
export async function importRows(
  rows: AsyncIterable<ImportRow | Rejection>,
  options: ImportOptions,
): Promise<void> {
  let owner: Owner | undefined;
  let chunk: Array<ImportRow | Rejection> = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length < options.batchSize) continue;
    owner = await importChunk(chunk, owner, options);
    chunk = [];
  }
  if (chunk.length > 0) await importChunk(chunk, owner, options);
}

async function importChunk(
  chunk: ReadonlyArray<ImportRow | Rejection>,
  lastOwner: Owner | undefined,
  options: ImportOptions,
): Promise<Owner | undefined> {
  const { summary } = options;
  summary.rows += chunk.length;
  let owner = lastOwner;
  const planned: Planned[] = [];
  for (const row of chunk) {
    if (!("user" in row)) {
      reject(summary, row);
      continue;
    }
    // CSV has one item a row, so `export --with-items` repeats the user on consecutive rows.
    const follows = owner?.email === row.user.email && owner.name === row.user.name && row.items.length > 0;
    if (!follows || !owner) owner = { line: row.line, ...row.user };
    planned.push({ row, owner, createsUser: !follows });
  }
  await createUsers(planned, options);
  await createItems(planned, options);
  options.onProgress?.(summary);
  return owner;
}

async function createUsers(planned: ReadonlyArray<Planned>, options: ImportOptions): Promise<void> {
  const creating = planned.filter((plan) => plan.createsUser);
  const results = await settleInBatches(
    creating.map((plan) => () => options.client.users.create.mutate(plan.row.user)),
    options.batchSize,
  );
  results.forEach((result, index) => {
    const owner = creating[index]?.owner;
    if (!owner) return;
    if (result.status === "fulfilled") {
      owner.userId = result.value.id;
      options.summary.usersCreated++;
    } else {
      owner.reason = reasonOf(result.reason);
    }
  });
  throwFirstFailure(results);
}

async function createItems(planned: ReadonlyArray<Planned>, options: ImportOptions): Promise<void> {
  const { summary } = options;
  const calls: Array<{ plan: Planned; call: () => Promise<unknown> }> = [];
  for (const plan of planned) {
    const { userId } = plan.owner;
    if (userId === undefined) {
      const reason = plan.createsUser
        ? plan.owner.reason
        : `its user (line ${plan.owner.line}) was not imported`;
      reject(summary, { line: plan.row.line, reason: reason ?? "not imported" });
      continue;
    }
    for (const item of plan.row.items) {
      calls.push({ plan, call: () => options.client.items.create.mutate({ userId, ...item }) });
    }
  }
  const results = await settleInBatches(
    calls.map(({ call }) => call),
    options.batchSize,
  );
  const failures = new Map<Planned, string>();
  results.forEach((result, index) => {
    const plan = calls[index]?.plan;
    if (!plan) return;
    if (result.status === "fulfilled") summary.itemsCreated++;
    else if (!failures.has(plan))
      failures.set(plan, `user created, but an item was refused: ${reasonOf(result.reason)}`);
  });
  throwFirstFailure(results);
  for (const plan of planned) {
    if (plan.owner.userId === undefined) continue;
    const failure = failures.get(plan);
    if (failure) reject(summary, { line: plan.row.line, reason: failure });
    else summary.created++;
  }
}

function reject(summary: ImportSummary, rejection: Rejection): void {
  summary.rejected++;
  if (summary.rejections.length < maxListed) summary.rejections.push(rejection);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A refusal is the row's fault and the import goes on; any other failure is the server's, and stops it. */
function throwFirstFailure(results: ReadonlyArray<PromiseSettledResult<unknown>>): void {
  for (const result of results) {
    if (result.status === "rejected" && !isRefusal(result.reason)) throw result.reason;
  }
}
