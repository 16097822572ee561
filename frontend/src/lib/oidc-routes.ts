// What the OIDC sign-in routes share that must not live in a route file
// (Next allows only its own exports there).

import { NextResponse, type NextRequest } from "next/server";
import { isHttps } from "./session";

/**
 * appURL is path on the app as the browser reached it (Host, or
 * X-Forwarded-Host behind a proxy): the redirect URL registered at the
 * provider and the session cookie must both be on that origin, whatever
 * name the server itself listens under.
 */
export function appURL(req: NextRequest, path: string): URL {
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || req.nextUrl.host;
  return new URL(path, `${isHttps(req.nextUrl, req.headers) ? "https" : "http"}://${host}`);
}

/** signInFailed sends the browser back to /sign-in with a sentence to show. */
export function signInFailed(req: NextRequest, message: string): NextResponse {
  const u = appURL(req, "/sign-in");
  u.searchParams.set("error", message);
  return NextResponse.redirect(u, { status: 303 });
}
