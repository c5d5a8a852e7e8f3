import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { App } from "../app.tsx";
import { Providers } from "../providers.tsx";
import { createQueryClient } from "../query-client.ts";
import { createFakeApi, type FakeProcedure } from "./fake-api.ts";

/**
 * Renders UI inside the app's providers and query client (its 401 handling included), over a
 * fake API; returns the calls it received, the query client, and `live`, which drives the change
 * stream (`changes.onChange`) the app subscribes to.
 */
export function renderWithApi(ui: ReactNode, procedures: Record<string, FakeProcedure>) {
  const { client, calls, requestHeaders, live, slowAnswers } = createFakeApi(procedures);
  const queryClient = createQueryClient();
  const view = render(
    <Providers trpcClient={client} queryClient={queryClient}>
      {ui}
    </Providers>,
  );
  return { ...view, calls, requestHeaders, queryClient, live, slowAnswers };
}

/** The whole app, opened at `path` (a fresh history entry, as if typed in the address bar). */
export function renderApp(path: string, procedures: Record<string, FakeProcedure>) {
  window.history.replaceState(null, "", path);
  return renderWithApi(<App />, procedures);
}

/** The path the app shows now. */
export function currentPath(): string {
  return window.location.pathname;
}
