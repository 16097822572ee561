import { createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

/**
 * renderWithAPI renders ui against an in-memory Connect router, so component
 * tests exercise the real generated client and query hooks without a server.
 */
export function renderWithAPI(ui: ReactElement, routes: (r: ConnectRouter) => void = () => {}) {
  const transport = createRouterTransport(routes);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <TransportProvider transport={transport}>
      <QueryClientProvider client={client}>{ui}</QueryClientProvider>
    </TransportProvider>,
  );
}
