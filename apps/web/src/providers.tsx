import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { createQueryClient } from "./query-client.ts";
import { createBrowserClient, TRPCProvider } from "./trpc.ts";

type ProvidersProps = {
  children: ReactNode;
  /** Tests pass their own, e.g. a client with an absolute URL and a fake fetch. */
  trpcClient?: ReturnType<typeof createBrowserClient>;
  queryClient?: QueryClient;
};

/** TanStack Query and the typed tRPC options proxy, for everything below. */
export function Providers({ children, ...given }: ProvidersProps) {
  const [queryClient] = useState(() => given.queryClient ?? createQueryClient());
  const [trpcClient] = useState(() => given.trpcClient ?? createBrowserClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
