// What the OIDC sign-in routes share that must not live in a route file
// (Next allows only its own exports there).

import { NextResponse, type NextRequest } from "next/server";

/** signInFailed sends the browser back to /sign-in with a sentence to show. */
export function signInFailed(req: NextRequest, message: string): NextResponse {
  const u = new URL("/sign-in", req.nextUrl);
  u.searchParams.set("error", message);
  return NextResponse.redirect(u, { status: 303 });
}
