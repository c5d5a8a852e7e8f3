import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { Providers } from "../providers.tsx";
import { createFakeApi, type FakeProcedure } from "./fake-api.ts";

/** Renders UI inside the app's providers, over a fake API; returns the calls it received too. */
export function renderWithApi(ui: ReactNode, procedures: Record<string, FakeProcedure>) {
  const { client, calls } = createFakeApi(procedures);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <Providers trpcClient={client} queryClient={queryClient}>
      {ui}
    </Providers>,
  );
  return { ...view, calls };
}
