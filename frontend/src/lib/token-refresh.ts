// Keeps an OIDC web session alive past its ID token's expiry. The sealed
// session cookie holds the person's refresh token next to the ID token; the
// /api proxy (src/middleware.ts) asks freshSession before each call and,
// when the ID token is about to expire, trades the refresh token at the
// provider's token endpoint for a new one and re-seals the cookie. The
// browser never sees either token. Server-only: imports node:crypto through
// session and oidc.

import { claims, discover, refresh, webClient, type Client, type Provider, type Tokens } from "./oidc";
import { SESSION_TTL_SECONDS, type Session } from "./session";

/** REFRESH_MARGIN_SECONDS refreshes an ID token this long before it expires, so it does not expire on its way to the API. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * sessionFromTokens is the session a sign-in (or a refresh of started)
 * makes at now (milliseconds). With a refresh token it lasts
 * SESSION_TTL_SECONDS from its start whatever the ID token's lifetime;
 * without one it ends with the ID token.
 */
export function sessionFromTokens(t: Tokens, issuer: string, now = Date.now(), started?: number): Session {
  const nowS = Math.floor(now / 1000);
  const issuedAt = started ?? nowS;
  const exp = claims(t.idToken).exp ?? nowS;
  if (!t.refreshToken) return { apiKey: t.idToken, issuedAt, expiresAt: exp };
  return { apiKey: t.idToken, issuedAt, expiresAt: issuedAt + SESSION_TTL_SECONDS, tokenExpiresAt: exp, refreshToken: t.refreshToken, issuer };
}

/** needsRefresh reports whether s holds an ID token that expires within REFRESH_MARGIN_SECONDS of now (milliseconds) and can be refreshed. */
export function needsRefresh(s: Session, now = Date.now()): boolean {
  return !!s.refreshToken && s.tokenExpiresAt !== undefined && s.tokenExpiresAt - REFRESH_MARGIN_SECONDS <= now / 1000;
}

/** tokenExpired reports whether the ID token in s has expired at now (milliseconds); API-key sessions never do. */
export function tokenExpired(s: Session, now = Date.now()): boolean {
  return s.tokenExpiresAt !== undefined && s.tokenExpiresAt <= now / 1000;
}

// Process-wide state on globalThis (Next bundles the middleware and the
// route handlers separately): discovery documents, and refreshes in flight
// or just done, keyed by the refresh token they spent. A page fires several
// API calls at once with the same cookie; providers that rotate refresh
// tokens accept the old one only once, so every call must share one refresh.
const SLOT = Symbol.for("neosync.web.tokenRefresh");
type State = { providers: Map<string, { at: number; p: Promise<Provider> }>; refreshes: Map<string, { at: number; p: Promise<Session> }> };
function state(): State {
  const g = globalThis as { [SLOT]?: State };
  g[SLOT] ??= { providers: new Map(), refreshes: new Map() };
  return g[SLOT];
}

const DISCOVERY_TTL_MS = 10 * 60_000;
// How long a finished refresh answers calls that still carry the spent
// refresh token (the browser keeps sending the old cookie until the first
// answer with the new one arrives).
const SHARED_REFRESH_MS = 30_000;

/** provider returns issuer's discovery document, cached for ten minutes. */
export function provider(issuer: string, now = Date.now()): Promise<Provider> {
  const cache = state().providers;
  const hit = cache.get(issuer);
  if (hit && now - hit.at < DISCOVERY_TTL_MS) return hit.p;
  const p = discover(issuer);
  cache.set(issuer, { at: now, p });
  p.catch(() => cache.delete(issuer));
  return p;
}

/**
 * freshSession returns s unchanged when its ID token is good for more than
 * REFRESH_MARGIN_SECONDS, else a session with a refreshed ID token (shared
 * by concurrent callers holding the same refresh token). It rejects when
 * the provider refuses the refresh (revoked, expired, provider down) or the
 * web app has no OIDC client configured.
 */
export async function freshSession(s: Session, now = Date.now(), client: Client | null = webClient()): Promise<Session> {
  if (!needsRefresh(s, now) || !s.refreshToken || !s.issuer) return s;
  if (!client) throw new Error("NEOSYNC_OIDC_CLIENT_ID is not set: the web app cannot refresh the sign-in");
  const inFlight = state().refreshes;
  for (const [k, v] of inFlight) if (now - v.at > SHARED_REFRESH_MS) inFlight.delete(k);
  const hit = inFlight.get(s.refreshToken);
  if (hit) return hit.p;
  const issuer = s.issuer;
  const p = provider(issuer, now)
    .then((prov) => refresh(prov, client, s.refreshToken!))
    .then((t) => ({ ...sessionFromTokens(t, issuer, now, s.issuedAt), expiresAt: s.expiresAt }));
  inFlight.set(s.refreshToken, { at: now, p });
  p.catch(() => inFlight.delete(s.refreshToken!));
  return p;
}
