import { NextResponse, type NextRequest } from "next/server";
import { apiBaseURL } from "@/lib/api-url";
import { SESSION_COOKIE, isCrossSite, sessionKey, unseal } from "@/lib/session";

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
export function middleware(req: NextRequest) {
  const target = new URL(req.nextUrl.pathname.replace(/^\/api/, "") + req.nextUrl.search, apiBaseURL());
  const headers = new Headers(req.headers);
  headers.delete("cookie");
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return NextResponse.rewrite(target, { request: { headers } });
  if (isCrossSite(req.headers)) {
    // Another site's page may not act with this browser's session.
    return NextResponse.json({ code: "permission_denied", message: "cross-site requests may not use the web app's session" }, { status: 403 });
  }
  const session = unseal(token, sessionKey().key);
  if (session) headers.set("authorization", `Bearer ${session.apiKey}`);
  const res = NextResponse.rewrite(target, { request: { headers } });
  // An expired or foreign cookie (e.g. sealed before a restart without
  // NEOSYNC_WEB_SESSION_SECRET) is dropped; the API's Unauthenticated answer
  // then leads to /sign-in.
  if (!session) res.cookies.set(SESSION_COOKIE, "", { path: "/", maxAge: 0 });
  return res;
}

export const config = { matcher: "/api/:path*", runtime: "nodejs" };
