import { NextResponse, type NextRequest } from "next/server";

// The browser calls the API at /api/<package>.<Service>/<Method> on this app's
// own origin, so the API needs no CORS setup. The target is read from
// NEOSYNC_API_URL on every request (not baked in at build time like
// next.config rewrites), so one build serves any environment.
export function middleware(req: NextRequest) {
  const api = process.env.NEOSYNC_API_URL || "http://127.0.0.1:8080";
  const target = new URL(req.nextUrl.pathname.replace(/^\/api/, "") + req.nextUrl.search, api);
  return NextResponse.rewrite(target);
}

export const config = { matcher: "/api/:path*", runtime: "nodejs" };
