import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * The browser's transport: Connect with JSON through this app's /api rewrite
 * (next.config.ts), so requests stay same-origin and readable in devtools.
 */
export const transport = createConnectTransport({
  baseUrl: "/api",
  useBinaryFormat: false,
});
