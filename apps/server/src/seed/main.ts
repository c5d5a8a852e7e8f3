// The seed's entry point: `npm run seed` runs `node apps/server/src/seed/main.ts`. Like the
// server's, it only turns on Node's compile cache before anything else loads (docs/performance.md).
import { enableCompileCache } from "node:module";

enableCompileCache();
await import("./run.ts");
