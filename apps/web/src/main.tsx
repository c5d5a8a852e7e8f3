import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { Providers } from "./providers.tsx";
import "./styles.css";

/**
 * React Query Devtools (the cache, each query's state and data), in development only. Vite
 * replaces MODE with "production" in a build, so the dynamic import is dead code there and the
 * devtools are not even a chunk of the production bundle (docs/web.md).
 */
const Devtools =
  import.meta.env.MODE === "development"
    ? lazy(() => import("./devtools.tsx").then((module) => ({ default: module.Devtools })))
    : () => null;

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <Providers>
      <App />
      <Suspense>
        <Devtools />
      </Suspense>
    </Providers>
  </StrictMode>,
);
