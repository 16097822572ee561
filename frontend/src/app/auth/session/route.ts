// The web app's session: GET tells whether this browser is signed in, POST
// signs in with an API key (checked against the API first), DELETE signs
// out. The key goes into a sealed HTTP-only cookie and is never returned to
// the browser; src/middleware.ts adds it to /api calls.

import { NextResponse, type NextRequest } from "next/server";
import { apiBaseURL } from "@/lib/api-url";
import type { SessionState } from "@/lib/sign-in";
import { SignInError, checkKeyShape, identifyKey } from "@/lib/identify";
import { revoke, webClient } from "@/lib/oidc";
import { provider } from "@/lib/token-refresh";
import { SESSION_COOKIE, isCrossSite, isHttps, newSession, seal, sessionCookieOptions, sessionKey, unseal } from "@/lib/session";

export const dynamic = "force-dynamic";

const noStore = { "Cache-Control": "no-store" };

function crossSiteRefusal() {
  return NextResponse.json({ error: "Sign-in and sign-out must come from this app's own pages." }, { status: 403, headers: noStore });
}

/** GET reports whether the request carries a valid session. */
export function GET(req: NextRequest) {
  const s = unseal(req.cookies.get(SESSION_COOKIE)?.value, sessionKey().key);
  const body: SessionState = s ? { signedIn: true, expiresAt: s.expiresAt } : { signedIn: false };
  return NextResponse.json(body, { headers: noStore });
}

/** POST signs in: body {"apiKey": "…"}; 200 with who the key is, or an error status with {"error": "…"}. */
export async function POST(req: NextRequest) {
  if (isCrossSite(req.headers)) return crossSiteRefusal();
  let body: { apiKey?: unknown };
  try {
    body = await req.json();
  } catch {
    return NextResponse.json({ error: 'Send JSON: {"apiKey": "…"}.' }, { status: 400, headers: noStore });
  }
  try {
    const apiKey = checkKeyShape(body?.apiKey);
    const identity = await identifyKey(apiKey, apiBaseURL());
    const session = newSession(apiKey);
    const res = NextResponse.json({ ...identity, expiresAt: session.expiresAt }, { headers: noStore });
    res.cookies.set(SESSION_COOKIE, seal(session, sessionKey().key), sessionCookieOptions(isHttps(req.nextUrl, req.headers)));
    return res;
  } catch (err) {
    if (err instanceof SignInError) return NextResponse.json({ error: err.message }, { status: err.status, headers: noStore });
    throw err;
  }
}

/**
 * DELETE signs out: the session cookie is removed and, for an OIDC session,
 * its refresh token is revoked at the provider (best effort: the cookie goes
 * whatever the provider answers).
 */
export async function DELETE(req: NextRequest) {
  if (isCrossSite(req.headers)) return crossSiteRefusal();
  const s = unseal(req.cookies.get(SESSION_COOKIE)?.value, sessionKey().key);
  const client = webClient();
  if (s?.refreshToken && s.issuer && client) {
    await provider(s.issuer)
      .then((p) => revoke(p, client, s.refreshToken!))
      .catch((err: Error) => console.warn(`sign-out: ${err.message}`));
  }
  const res = new NextResponse(null, { status: 204, headers: noStore });
  res.cookies.set(SESSION_COOKIE, "", sessionCookieOptions(isHttps(req.nextUrl, req.headers), 0));
  return res;
}
