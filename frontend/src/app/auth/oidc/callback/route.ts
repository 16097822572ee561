// GET /auth/oidc/callback: where the identity provider sends the browser
// back. It checks state against the sealed flow cookie, trades the code
// (with the PKCE verifier) for tokens, checks the nonce, has the API verify
// the ID token and read the person's profile (SetUser with the access
// token), and makes the session: the ID token and the refresh token sealed
// in the HTTP-only session cookie. With a refresh token the session lasts
// 12 hours (the /api proxy refreshes the ID token); without one it ends
// when the ID token expires.

import { NextResponse, type NextRequest } from "next/server";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { UserAccountService } from "@/gen/mgmt/v1alpha1/user_account_pb";
import { apiBaseURL } from "@/lib/api-url";
import { appURL, signInFailed } from "@/lib/oidc-routes";
import { signInFailure } from "@/lib/identify";
import { FLOW_COOKIE, claims, discover, exchange, unsealFlow, webClient } from "@/lib/oidc";
import { SESSION_COOKIE, isHttps, seal, sessionCookieOptions, sessionKey, type Session } from "@/lib/session";
import { sessionFromTokens } from "@/lib/token-refresh";

export const dynamic = "force-dynamic";

/** GET finishes the sign-in and redirects to the page the person came from. */
export async function GET(req: NextRequest) {
  const key = sessionKey().key;
  const flow = unsealFlow(req.cookies.get(FLOW_COOKIE)?.value, key);
  const q = req.nextUrl.searchParams;
  if (!flow || q.get("state") !== flow.state) return signInFailed(req, "This sign-in is not the one this browser started, or it took longer than 10 minutes. Try again.");
  if (q.get("error")) return signInFailed(req, `The identity provider refused the sign-in: ${q.get("error")}${q.get("error_description") ? ` (${q.get("error_description")})` : ""}`);
  const client = webClient();
  const code = q.get("code");
  if (!client || !code) return signInFailed(req, "The identity provider sent no code back.");
  let session: Session;
  try {
    const api = createClient(UserAccountService, createConnectTransport({ baseUrl: apiBaseURL() }));
    const info = await api.getSystemInformation({}, { timeoutMs: 10_000 });
    const provider = await discover(info.oidcIssuer);
    const tokens = await exchange(provider, client, code, flow.verifier, appURL(req, "/auth/oidc/callback").toString());
    if (claims(tokens.idToken).nonce !== flow.nonce) return signInFailed(req, "The identity provider's answer does not match this sign-in (nonce). Try again.");
    const idToken = tokens.idToken;
    session = sessionFromTokens(tokens, info.oidcIssuer);
    const bearer: Interceptor = (next) => (r) => {
      r.header.set("Authorization", `Bearer ${idToken}`);
      return next(r);
    };
    const asUser = createClient(UserAccountService, createConnectTransport({ baseUrl: apiBaseURL(), interceptors: [bearer] }));
    await asUser.setUser({ accessToken: tokens.accessToken }, { timeoutMs: 10_000 });
  } catch (err) {
    const e = err instanceof Error && !("code" in err) ? err : signInFailure(err);
    return signInFailed(req, e.message);
  }
  const now = Math.floor(Date.now() / 1000);
  const res = NextResponse.redirect(appURL(req, flow.next), { status: 303 });
  const secure = isHttps(req.nextUrl, req.headers);
  res.cookies.set(SESSION_COOKIE, seal(session, key), sessionCookieOptions(secure, Math.max(session.expiresAt - now, 0)));
  res.cookies.set(FLOW_COOKIE, "", sessionCookieOptions(secure, 0));
  return res;
}
