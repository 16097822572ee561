import { NextResponse, type NextRequest } from "next/server";
import { apiBaseURL } from "@/lib/api-url";
import { SESSION_COOKIE, isCrossSite, isHttps, seal, sessionCookieOptions, sessionKey, unseal, type Session } from "@/lib/session";
import { freshSession, tokenExpired } from "@/lib/token-refresh";
import { endHop, startHop, traceConfig } from "@/lib/webtrace";

// The browser calls the API at /api/<package>.<Service>/<Method> on this app's
// own origin, so the API needs no CORS setup. The target is read from
// NEOSYNC_API_URL on every request (not baked in at build time like
// next.config rewrites), so one build serves any environment.
//
// With a session (API-key sign-in, src/app/auth/session) the key is opened
// from its sealed cookie here and sent as `Authorization: Bearer …`; the
// cookie itself is not forwarded. Without one the request goes on as it came,
// so single-user mode works unchanged and an API that wants a key answers
// Unauthenticated, which sends the page to /sign-in.
//
// An OIDC session whose ID token is about to expire is refreshed here with
// its refresh token (src/lib/token-refresh.ts): the new ID token goes to
// the API and the re-sealed session back to the browser. When the provider
// refuses, a still-valid ID token is used as it is; an expired one ends the
// session (cookie dropped, the API answers Unauthenticated → /sign-in).
//
// With OTEL_EXPORTER_OTLP_ENDPOINT set, each forwarded call is a span of its
// own (a refresh included) and carries it to the API in `traceparent`
// (src/lib/webtrace.ts).
export async function middleware(req: NextRequest) {
  const trace = traceConfig(process.env);
  if (!trace) return forward(req);
  const path = req.nextUrl.pathname.replace(/^\/api/, "");
  const hop = startHop(req.headers.get("traceparent"), req.method, path);
  try {
    return await forward(req, hop.traceparent);
  } finally {
    endHop(trace, hop.span);
  }
}

async function forward(req: NextRequest, traceparent?: string) {
  const target = new URL(req.nextUrl.pathname.replace(/^\/api/, "") + req.nextUrl.search, apiBaseURL());
  const headers = new Headers(req.headers);
  headers.delete("cookie");
  if (traceparent) headers.set("traceparent", traceparent);
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return NextResponse.rewrite(target, { request: { headers } });
  if (isCrossSite(req.headers)) {
    // Another site's page may not act with this browser's session.
    return NextResponse.json({ code: "permission_denied", message: "cross-site requests may not use the web app's session" }, { status: 403 });
  }
  const key = sessionKey().key;
  let session: Session | null = unseal(token, key);
  let renewed = false;
  if (session) {
    try {
      const fresh = await freshSession(session);
      renewed = fresh !== session;
      session = fresh;
    } catch {
      // The provider refused (revoked, expired) or cannot be reached.
      if (tokenExpired(session)) session = null;
    }
  }
  if (session) headers.set("authorization", `Bearer ${session.apiKey}`);
  const res = NextResponse.rewrite(target, { request: { headers } });
  if (session && renewed) {
    const maxAge = Math.max(session.expiresAt - Math.floor(Date.now() / 1000), 0);
    res.cookies.set(SESSION_COOKIE, seal(session, key), sessionCookieOptions(isHttps(req.nextUrl, req.headers), maxAge));
  }
  // An expired or foreign cookie (e.g. sealed before a restart without
  // NEOSYNC_WEB_SESSION_SECRET) is dropped; the API's Unauthenticated answer
  // then leads to /sign-in.
  if (!session) res.cookies.set(SESSION_COOKIE, "", { path: "/", maxAge: 0 });
  return res;
}

export const config = { matcher: "/api/:path*", runtime: "nodejs" };
