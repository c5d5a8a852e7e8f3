// Shows that import holds nothing per row: reads a 100,000-row CSV through the real reader and
// importer with a client that answers at once (no server, so it runs in seconds), and prints the
// heap after a forced garbage collection every 20,000 rows. Flat numbers mean bounded memory.
//
//   node --expose-gc apps/cli/scripts/measure-heap.ts 100000

import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@app/client";
import { emptySummary, importRows } from "../src/import/importer.ts";
import { readImportRows } from "../src/import/read-file.ts";

const count = Number(process.argv[2] ?? 100_000);
const gc = globalThis.gc;
if (!gc) throw new Error("run with node --expose-gc");

const folder = mkdtempSync(join(tmpdir(), "cli-heap-"));
const file = join(folder, "rows.csv");
const out = createWriteStream(file);
out.write("name,email,title,description\n");
for (let i = 0; i < count; i++) {
  const line =
    i % 10 === 9 ? `User ${i},not-an-email,,\n` : `User ${i},user${i}@example.com,Item ${i},"a, b"\n`;
  if (!out.write(line)) await once(out, "drain");
}
out.end();
await once(out, "finish");

let id = 0;
const answer = async () => ({ id: ++id });
const client = {
  users: { create: { mutate: answer } },
  items: { create: { mutate: answer } },
} as unknown as Client;

const summary = emptySummary();
let next = 0;
await importRows(readImportRows(file, { format: "csv" }), {
  client,
  batchSize: 10,
  summary,
  onProgress: () => {
    if (summary.rows < next) return;
    next += 20_000;
    gc();
    console.log(`${summary.rows} rows: heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MB`);
  },
});
console.log(`${summary.rows} rows, ${summary.created} created, ${summary.rejected} rejected`);
rmSync(folder, { recursive: true, force: true });
