// Navigation around sign-in, shared by the sign-in page and the app's
// redirect on Unauthenticated. Safe to import from client components.

/** SIGN_IN_PATH is the sign-in page. */
export const SIGN_IN_PATH = "/sign-in";

/**
 * safeNext returns where to go after signing in: next when it is a path on
 * this app (so a crafted link cannot send a freshly signed-in user to another
 * site), else the default page. The sign-in page itself is never a target.
 */
export function safeNext(next: string | null | undefined): string {
  const fallback = "/connections";
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f]/.test(next)) return fallback;
  if (next === SIGN_IN_PATH || next.startsWith(SIGN_IN_PATH + "?") || next.startsWith(SIGN_IN_PATH + "/")) return fallback;
  return next;
}

/** signInHref is the sign-in page that returns to path (with its query) afterwards. */
export function signInHref(path: string): string {
  return safeNext(path) === path ? `${SIGN_IN_PATH}?next=${encodeURIComponent(path)}` : SIGN_IN_PATH;
}

/** SESSION_PATH is the route that reads (GET), makes (POST) and ends (DELETE) the session. */
export const SESSION_PATH = "/auth/session";

/** SessionState is GET /auth/session's answer; the key itself never leaves the server. */
export interface SessionState {
  signedIn: boolean;
  /** expiresAt is the session's end (Unix seconds) when signed in. */
  expiresAt?: number;
}

/** SignedIn is POST /auth/session's answer: who the key acts as. */
export interface SignedIn {
  userName: string;
  accountName: string;
  accountType: "personal" | "team";
  expiresAt: number;
}
