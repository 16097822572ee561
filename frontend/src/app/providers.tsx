"use client";

import { Code } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { isCode } from "@/lib/errors";
import { signInHref } from "@/lib/sign-in";
import { transport } from "@/lib/transport";

/**
 * toSignIn leaves the app for the sign-in page when the API answers
 * Unauthenticated: it runs with NEOSYNC_AUTH_MODE=apikey and this browser has
 * no session, or its key expired or was revoked. (In single-user mode the
 * API never says so, and nothing changes.) A full navigation, replacing the
 * page in history, also drops every cached answer.
 */
function toSignIn(err: unknown) {
  if (!isCode(err, Code.Unauthenticated) || typeof window === "undefined") return;
  window.location.replace(signInHref(window.location.pathname + window.location.search));
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: toSignIn }),
        mutationCache: new MutationCache({ onError: toSignIn }),
        defaultOptions: {
          // Asking again cannot cure a missing key: go to sign-in at once.
          queries: { retry: (n, err) => n < 1 && !isCode(err, Code.Unauthenticated), refetchOnWindowFocus: false, staleTime: 5_000 },
        },
      }),
  );
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </TransportProvider>
  );
}
