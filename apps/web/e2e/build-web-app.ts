import { fileURLToPath } from "node:url";
import { build } from "vite";

export const webRoot = fileURLToPath(new URL("..", import.meta.url));

/** Builds apps/web into dist/, which the real server serves at `/`. */
export async function buildWebApp() {
  // vitest sets NODE_ENV=test, which Vite would bake into the bundle (React's development build):
  // test what `npm start` serves instead.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ root: webRoot, mode: "production", logLevel: "warn" });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
