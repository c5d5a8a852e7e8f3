import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../server/test/support/harness.ts";
import { serverPaths } from "../dev-proxy.ts";
import { launchBrowser, whyNoBrowser } from "./browser.ts";
import { webRoot } from "./build-web-app.ts";
import { streamReader } from "./stream-reader.ts";

const repoRoot = join(webRoot, "..", "..");
const admin = { email: "dev-admin@example.org", password: "dev admin password" };

/** A port nothing listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** Whether something accepts connections on `port` (IPv4 or IPv6 loopback, as `localhost` resolves). */
async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://localhost:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// `npm run dev` as a developer runs it: the server in watch mode and Vite, on ports and a database
// named by the environment and by a `.env` file, every server path on Vite's port, and one SIGINT
// to npm stopping everything. Before, turbo dropped every variable (the server always took
// port 8000 and apps/server/data/app.db), and a SIGINT to npm left the server and Vite running.
describe("npm run dev", () => {
  let dev: ChildProcess;
  let output = "";
  let scratch: string;
  let database: string;
  let serverPort: number;
  let webPort: number;
  let origin: string;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "dev-loop-"));
    database = join(scratch, "dev.db");
    // The database and the admin come from a `.env` file; the ports from the environment.
    writeFileSync(
      join(scratch, ".env"),
      `DATABASE_URL=sqlite:${database}\nADMIN_EMAIL=${admin.email}\nADMIN_PASSWORD="${admin.password}"\n`,
    );
    serverPort = await freePort();
    webPort = await freePort();
    origin = `http://localhost:${webPort}`;
    // What a developer's shell would have: not vitest's NODE_ENV=test, nor a stray API_URL or HOST.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(VITEST|NODE_ENV$|TEST$|API_URL$|HOST$|LOG_LEVEL$|METRICS)/.test(name),
      ),
    );
    dev = spawn("npm", ["run", "dev"], {
      cwd: repoRoot,
      env: {
        ...env,
        PORT: String(serverPort),
        WEB_PORT: String(webPort),
        DOTENV_CONFIG_PATH: join(scratch, ".env"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => dev.once("exit", (code) => resolve(code)));
    dev.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      await until(
        "the server's /health/ready on Vite's port",
        async () => ((await fetch(`${origin}/health/ready`)).status === 200 ? true : undefined),
        45_000,
      );
    } catch (error) {
      throw new Error(`${String(error)}; npm run dev said:\n${output}`);
    }
  }, 60_000);

  afterAll(async () => {
    // Only when a test failed before the last one stopped it.
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill("SIGINT");
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Signs in as the `.env`'s admin through Vite's port; the session cookie. */
  async function signIn(): Promise<string> {
    const response = await fetch(`${origin}/api/auth/signin`, {
      method: "POST",
      headers: { "content-type": "application/json", origin },
      body: JSON.stringify(admin),
    });
    expect(response.status).toBe(200);
    return response.headers.get("set-cookie")?.split(";")[0] ?? "";
  }

  it("answers every server path on Vite's port from the server, the page's routes from Vite", async () => {
    const cookie = await signIn();
    /** Each path, and what only the server's own route answers there. */
    const checks: [path: string, status: number, answer: (text: string, type: string) => boolean][] = [
      ["/trpc/auth.me", 200, (text) => JSON.parse(text).result.data.email === admin.email],
      ["/api/users/", 200, (text) => JSON.parse(text).items[0].email === admin.email],
      ["/docs", 200, (text) => text.includes("/docs/swagger-ui-bundle.js")],
      ["/redoc", 200, (text) => text.includes("/redoc/redoc.standalone.js")],
      ["/openapi.json", 200, (text) => JSON.parse(text).openapi.startsWith("3.")],
      ["/health", 200, (text) => JSON.parse(text).status === "ok"],
      ["/health/live", 200, (text) => JSON.parse(text).status === "live"],
      ["/health/ready", 200, (text) => JSON.parse(text).status === "ready"],
      ["/metrics", 200, (text, type) => type.startsWith("text/plain") && text.includes("# TYPE")],
    ];
    for (const [path, status, answer] of checks) {
      const response = await fetch(`${origin}${path}`, { headers: { cookie } });
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status });
      // Every answer of the server's carries a request id; Vite's never do.
      expect(response.headers.get("x-request-id"), path).toBeTruthy();
      expect(answer(text, response.headers.get("content-type") ?? ""), `${path}: ${text.slice(0, 200)}`).toBe(
        true,
      );
    }
    // Every proxied path was checked above.
    for (const prefix of serverPaths) expect(checks.some(([path]) => path.startsWith(prefix))).toBe(true);

    // The page's own routes are Vite's (a deep link too), with hot reload.
    for (const path of ["/", "/users/1", "/signin"]) {
      const page = await fetch(`${origin}${path}`);
      expect(page.headers.get("x-request-id")).toBeNull();
      expect(await page.text()).toContain("/@vite/client");
    }
  });

  it("runs the server in development mode on the `.env`'s DATABASE_URL", async () => {
    // The admin signed in above was created in that file at start-up.
    expect(existsSync(database)).toBe(true);
    expect(statSync(database).size).toBeGreaterThan(0);
    // Development mode: tRPC errors carry their stack (never in production).
    const missing = await fetch(`${origin}/trpc/no.such.procedure`);
    expect(missing.status).toBe(404);
    const body = (await missing.json()) as { error: { data: { stack?: string } } };
    expect(body.error.data.stack).toMatch(/TRPCError/);
  });

  it("streams /api/changes/stream through Vite's proxy as each change happens", async () => {
    const cookie = await signIn();
    const abort = new AbortController();
    const stream = await fetch(`${origin}/api/changes/stream`, { headers: { cookie }, signal: abort.signal });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = streamReader(stream);
    const { readUntil } = events;
    try {
      await readUntil(/following/);
      const created = await fetch(`${origin}/api/users/`, {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify({ name: "Streamed", email: "streamed@example.com" }),
      });
      expect(created.status).toBe(201);
      // Read while the stream stays open: the proxy passed the event on at once.
      await readUntil(/"entity":"user"[^\n]*"op":"create"/);
    } finally {
      abort.abort();
    }
  });

  it("proxies every first path segment the server has a route under", async () => {
    await using server = await startTestServer();
    // fastify's route tree, one level below "/": `trpc/:path`, `api/users`, `openapi.json`, `*`…
    const segments = new Set(
      server.app
        .printRoutes({ commonPrefix: false })
        .split("\n")
        .map((line) => /^│ {3}[├└]── ([^\s(]+)/.exec(line)?.[1]?.split("/")[0])
        .filter((segment) => segment !== undefined && segment !== "*"),
    );
    // A change in the tree's format must fail here, not pass with nothing to compare.
    expect(segments).toContain("trpc");
    expect(segments).toContain("api");
    const proxied: readonly string[] = serverPaths;
    for (const segment of segments) expect(proxied, `/${segment}`).toContain(`/${segment}`);
  });

  it.skipIf(whyNoBrowser())("shows React Query Devtools and logs each tRPC call in development", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const logged: string[] = [];
      page.on("console", (message) => logged.push(message.text()));
      await page.goto(origin);
      await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: 30_000 });
      await page.getByRole("button", { name: "Open Tanstack query devtools" }).waitFor();
      // tRPC's loggerLink: `>> query #1 auth.me` on the way up, `<< query #1 auth.me` with the answer.
      expect(logged.some((line) => line.includes(">> query") && line.includes("auth.me"))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("leaves both out of the production build", async () => {
    const outDir = join(scratch, "dist");
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await build({
        root: webRoot,
        mode: "production",
        logLevel: "warn",
        build: { outDir, emptyOutDir: true },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    const scripts = readdirSync(join(outDir, "assets")).filter((file) => file.endsWith(".js"));
    // One bundle: not even a devtools chunk left unloaded beside it.
    expect(scripts).toHaveLength(1);
    const bundle = readFileSync(join(outDir, "assets", scripts[0] ?? ""), "utf8");
    // The devtools' class prefix and the logger's timing field, both in a development build.
    expect(bundle).not.toContain("tsqd");
    expect(bundle).not.toContain("elapsedMs");
  });

  it("stops the server and Vite on one SIGINT to npm, freeing both ports", async () => {
    // The last server `node --watch` started (an edit restarts it).
    const serverPid = Number([...output.matchAll(/"pid":(\d+)[^\n]*Server listening/g)].at(-1)?.[1]);
    expect(serverPid).toBeGreaterThan(0);
    dev.kill("SIGINT");
    expect(await exited).toBe(0);
    // npm returns once its child does, and the children once the server has closed: allow a
    // moment for the kernel to release the ports.
    await until(
      "both ports to be free",
      async () => (!(await listening(serverPort)) && !(await listening(webPort)) ? true : undefined),
      15_000,
    );
    expect(() => process.kill(serverPid, 0)).toThrow();
  }, 30_000);
});

// A port already taken (another `npm start` or `npm run dev` left running) or a WEB_PORT that is no
// port: before, the server failed and `node --watch` waited for a file change while Vite served on
// and proxied to whatever held the port; a taken or bad WEB_PORT printed Vite's stack trace.
describe("npm run dev with a port it cannot have", () => {
  /** `npm run dev` with these variables: its exit code and output, or "still running" after 30 s. */
  async function devWith(
    env: Record<string, string>,
  ): Promise<{ code: number | null | "still running"; output: string }> {
    const scratch = mkdtempSync(join(tmpdir(), "dev-loop-"));
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(VITEST|NODE_ENV$|TEST$|API_URL$|HOST$|LOG_LEVEL$|METRICS)/.test(name),
      ),
    );
    const dev = spawn("npm", ["run", "dev"], {
      cwd: repoRoot,
      env: {
        ...inherited,
        DATABASE_URL: `sqlite:${join(scratch, "dev.db")}`,
        DOTENV_CONFIG_PATH: "/nonexistent/.env",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    dev.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    dev.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => dev.once("exit", (code) => resolve(code)));
    const code = await Promise.race([
      exited,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 30_000)),
    ]);
    if (code === "still running") {
      dev.kill("SIGINT");
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
    return { code, output };
  }

  /** A port held by another process's listener until `release` is called. */
  async function heldPort(): Promise<{ port: number; release: () => void }> {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const address = holder.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return { port, release: () => holder.close() };
  }

  it("stops at once when the server's PORT is taken, saying so in one line", async () => {
    const held = await heldPort();
    const webPort = await freePort();
    try {
      const { code, output } = await devWith({ PORT: String(held.port), WEB_PORT: String(webPort) });
      expect(code, output).toBe(1);
      expect(output).toContain(`PORT ${held.port}`);
      expect(output).not.toMatch(/\n\s+at /);
      expect(await listening(webPort)).toBe(false);
    } finally {
      held.release();
    }
  }, 60_000);

  it("stops at once when WEB_PORT is taken or no port, with no stack trace", async () => {
    const held = await heldPort();
    const serverPort = await freePort();
    try {
      for (const webPort of [String(held.port), "abc", "99999"]) {
        const { code, output } = await devWith({ PORT: String(serverPort), WEB_PORT: webPort });
        expect(code, output).toBe(1);
        expect(output).toContain(`WEB_PORT ${webPort}`);
        expect(output).not.toMatch(/\n\s+at /);
        expect(await listening(serverPort)).toBe(false);
      }
    } finally {
      held.release();
    }
  }, 120_000);
});
