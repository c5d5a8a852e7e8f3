// Measures import and export of a large file against a real server on a fresh SQLite file:
// wall time and the CLI process's peak memory, for two sizes, to show that memory stays flat.
//
//   node apps/cli/scripts/measure-import.ts 10000 100000
//
// The server runs in this process; the CLI runs as its own process, as a user would run it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@app/client";
import { loadConfig } from "../../server/src/config.ts";
import { startServer } from "../../server/src/server.ts";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const reportRss = fileURLToPath(new URL("./report-rss.ts", import.meta.url));
const sizes = process.argv.slice(2).map(Number);

async function writeRows(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write("name,email,title,description\n");
  for (let i = 0; i < count; i++) {
    const item = i % 4 === 0 ? `Item ${i},"A description, with a comma"` : ",";
    if (!out.write(`User ${i},user${i}@example.com,${item}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

async function runCli(args: string[], env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", reportRss, main, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const [code] = await once(child, "close");
  const [, rss = "0", heap = "0"] = /peak-rss-kb (\d+) peak-heap-kb (\d+)/.exec(stderr) ?? [];
  const mb = (kb: string) => Math.round(Number(kb) / 1024);
  return { code, seconds: (performance.now() - started) / 1000, rssMb: mb(rss), heapMb: mb(heap) };
}

for (const size of sizes) {
  const folder = mkdtempSync(join(tmpdir(), "cli-measure-"));
  // Import and export are an admin's calls: the server starts with one, whose token the CLI sends.
  const admin = { email: "admin@example.org", password: "measure password" };
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(folder, "m.db")}`,
    PORT: "0",
    LOG_LEVEL: "silent",
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
  });
  const server = await startServer(config);
  try {
    const { token } = await createClient({ url: server.url }).auth.signIn.mutate(admin);
    const file = join(folder, "rows.csv");
    await writeRows(file, size);
    const env = { API_URL: server.url, API_TOKEN: token };
    const imported = await runCli(["import", file], env);
    const exported = await runCli(["export", "--with-items", "--out", join(folder, "out.csv")], env);
    const mb = (statSync(file).size / 1024 / 1024).toFixed(1);
    const report = (run: Awaited<ReturnType<typeof runCli>>) =>
      `exit ${run.code} in ${run.seconds.toFixed(1)} s, heap ${run.heapMb} MB, rss ${run.rssMb} MB`;
    console.log(`${size} rows (${mb} MB): import ${report(imported)}; export ${report(exported)}`);
  } finally {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
