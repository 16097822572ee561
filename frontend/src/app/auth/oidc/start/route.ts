// GET /auth/oidc/start: begins an OIDC sign-in. It asks the API which
// identity provider it trusts (GetSystemInformation answers before
// sign-in), remembers state, PKCE verifier and nonce in a sealed cookie and
// sends the browser to the provider.

import { NextResponse, type NextRequest } from "next/server";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { UserAccountService } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { apiBaseURL } from "@/lib/api-url";
import { appURL, signInFailed } from "@/lib/oidc-routes";
import { FLOW_COOKIE, FLOW_TTL_SECONDS, authorizationURL, discover, newFlow, sealFlow, webClient } from "@/lib/oidc";
import { isHttps, sessionCookieOptions, sessionKey } from "@/lib/session";

export const dynamic = "force-dynamic";

/** GET redirects to the identity provider's sign-in page. */
export async function GET(req: NextRequest) {
  const client = webClient();
  if (!client) return signInFailed(req, "OIDC sign-in is not configured in the web app: set NEOSYNC_OIDC_CLIENT_ID (and NEOSYNC_OIDC_CLIENT_SECRET for a confidential client).");
  let issuer: string;
  try {
    const api = createClient(UserAccountService, createConnectTransport({ baseUrl: apiBaseURL() }));
    const info = await api.getSystemInformation({}, { timeoutMs: 10_000 });
    if (info.authMode !== "oidc" || !info.oidcIssuer) return signInFailed(req, `The API runs in ${info.authMode} mode: sign in with an API key.`);
    issuer = info.oidcIssuer;
  } catch {
    return signInFailed(req, "The Neosync API is not reachable from the web app. Check that it is running and that NEOSYNC_API_URL points at it.");
  }
  try {
    const provider = await discover(issuer);
    const flow = newFlow(req.nextUrl.searchParams.get("next"));
    const redirectURI = appURL(req, "/auth/oidc/callback").toString();
    const res = NextResponse.redirect(authorizationURL(provider, client, flow, redirectURI), { status: 303 });
    res.cookies.set(FLOW_COOKIE, sealFlow(flow, sessionKey().key), sessionCookieOptions(isHttps(req.nextUrl, req.headers), FLOW_TTL_SECONDS));
    return res;
  } catch (err) {
    return signInFailed(req, `The identity provider ${issuer} cannot be reached: ${(err as Error).message}`);
  }
}
