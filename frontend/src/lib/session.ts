// Server-side sessions for API-key sign-in. The browser holds only a sealed
// token in an HTTP-only cookie: the API key inside is encrypted and
// authenticated (AES-256-GCM) with a key derived from
// NEOSYNC_WEB_SESSION_SECRET, so client JavaScript never sees it and a
// changed or forged cookie is rejected. Sealing (rather than an opaque id
// into a server-side table) keeps the web app stateless: several replicas
// sharing the secret accept each other's sessions, and a restart keeps them
// when the secret is set. This module imports node:crypto and must never be
// imported by a client component.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/** SESSION_COOKIE is the cookie that carries the sealed session. */
export const SESSION_COOKIE = "neosync_session";

/** SESSION_TTL_SECONDS bounds a session (12 h); the API key's own expiry may end it sooner. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** MIN_SECRET_LENGTH is the shortest NEOSYNC_WEB_SESSION_SECRET accepted (32 characters, e.g. `openssl rand -hex 32`). */
export const MIN_SECRET_LENGTH = 32;

/** MAX_API_KEY_LENGTH keeps the sealed cookie far below browsers' 4 KiB cookie limit. */
export const MAX_API_KEY_LENGTH = 512;

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds a ciphertext to its purpose, so a value sealed by another use of the
// same secret can never be opened as a session.
const AAD = Buffer.from(`${SESSION_COOKIE} ${VERSION}`);

/** Session is what a sealed cookie holds. Times are Unix seconds. */
export interface Session {
  /** apiKey is the bearer token sent to the API: an API key, or the person's OIDC ID token. */
  apiKey: string;
  issuedAt: number;
  /** expiresAt ends the session: the key's session lifetime, or the ID token's expiry when it cannot be refreshed. */
  expiresAt: number;
  /** tokenExpiresAt (OIDC with a refresh token) is when the ID token in apiKey expires; it is refreshed before then. */
  tokenExpiresAt?: number;
  /** refreshToken (OIDC) gets a new ID token from the provider without the person signing in again. */
  refreshToken?: string;
  /** issuer (OIDC) is the provider that issued the tokens, whose token endpoint refreshes them. */
  issuer?: string;
}

/** SessionSecretError says NEOSYNC_WEB_SESSION_SECRET is unusable and why. */
export class SessionSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionSecretError";
  }
}

/** SessionKey is the derived sealing key and whether it was generated for this process only. */
export interface SessionKey {
  key: Buffer;
  /** generated is true when NEOSYNC_WEB_SESSION_SECRET was unset: sessions end when the process restarts. */
  generated: boolean;
}

/**
 * deriveSessionKey turns a secret into the 32-byte sealing key (HKDF-SHA256).
 * It refuses a secret shorter than MIN_SECRET_LENGTH, naming the variable.
 */
export function deriveSessionKey(secret: string): Buffer {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SessionSecretError(
      `NEOSYNC_WEB_SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (it has ${secret.length}); generate one with \`openssl rand -hex 32\``,
    );
  }
  return Buffer.from(hkdfSync("sha256", secret, "neosync-web-session", VERSION, 32));
}

// The key lives on globalThis, not in a module variable: Next bundles the
// middleware, route handlers and instrumentation separately, and each bundle
// would otherwise generate its own random key and refuse the others' cookies.
const KEY_SLOT = Symbol.for("neosync.web.sessionKey");
type KeyHolder = { [KEY_SLOT]?: { secret: string | undefined; value: SessionKey } };

/**
 * sessionKey returns this process's sealing key: derived from
 * NEOSYNC_WEB_SESSION_SECRET, or 32 random bytes kept for the life of the
 * process when the variable is unset.
 */
export function sessionKey(env: Record<string, string | undefined> = process.env): SessionKey {
  const holder = globalThis as KeyHolder;
  const secret = env.NEOSYNC_WEB_SESSION_SECRET || undefined;
  const cached = holder[KEY_SLOT];
  if (cached && cached.secret === secret) return cached.value;
  const value: SessionKey = secret ? { key: deriveSessionKey(secret), generated: false } : { key: randomBytes(32), generated: true };
  holder[KEY_SLOT] = { secret, value };
  return value;
}

/** newSession starts a session for apiKey at now (milliseconds) lasting SESSION_TTL_SECONDS. */
export function newSession(apiKey: string, now = Date.now()): Session {
  const issuedAt = Math.floor(now / 1000);
  return { apiKey, issuedAt, expiresAt: issuedAt + SESSION_TTL_SECONDS };
}

/** seal encrypts s under key into a cookie-safe token ("v1." + base64url(iv | ciphertext | tag)). */
export function seal(s: Session, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(AAD);
  const fields = { k: s.apiKey, i: s.issuedAt, e: s.expiresAt, t: s.tokenExpiresAt, r: s.refreshToken, s: s.issuer };
  const body = Buffer.concat([cipher.update(JSON.stringify(fields), "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/**
 * unseal opens a token made by seal. It returns null — never throws — for
 * anything it cannot trust: another version, a malformed or tampered token,
 * another key, or a session expired at now (milliseconds).
 */
export function unseal(token: string | undefined, key: Buffer, now = Date.now()): Session | null {
  if (!token || !token.startsWith(`${VERSION}.`)) return null;
  const raw = Buffer.from(token.slice(VERSION.length + 1), "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES + 1) return null;
  let parsed: unknown;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    parsed = JSON.parse(plain.toString("utf8"));
  } catch {
    return null;
  }
  const p = parsed as { k?: unknown; i?: unknown; e?: unknown; t?: unknown; r?: unknown; s?: unknown };
  if (typeof p.k !== "string" || !p.k || typeof p.i !== "number" || typeof p.e !== "number") return null;
  if (p.e * 1000 <= now) return null;
  const out: Session = { apiKey: p.k, issuedAt: p.i, expiresAt: p.e };
  if (typeof p.r === "string" && p.r && typeof p.t === "number" && typeof p.s === "string" && p.s) {
    out.tokenExpiresAt = p.t;
    out.refreshToken = p.r;
    out.issuer = p.s;
  }
  return out;
}

/** CookieOptions are the attributes the session cookie is set with. */
export interface CookieOptions {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

/**
 * sessionCookieOptions: HTTP-only (no client script reads it), SameSite=Lax
 * (not sent on cross-site POSTs, so another site cannot call the API with
 * it), Secure when the app is served over HTTPS, for the whole app, expiring
 * with the session. maxAge 0 deletes the cookie.
 */
export function sessionCookieOptions(secure: boolean, maxAge = SESSION_TTL_SECONDS): CookieOptions {
  return { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge };
}

/**
 * isHttps reports whether the browser reached the app over HTTPS: the
 * request URL's scheme, or X-Forwarded-Proto from a TLS-terminating proxy.
 */
export function isHttps(url: URL, headers: Headers): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return url.protocol === "https:";
}

/**
 * isCrossSite reports whether a request was made by another site's page
 * (Fetch Metadata). Such a request may not use or change the session, even
 * where SameSite alone would let the cookie through (same-site subdomains).
 */
export function isCrossSite(headers: Headers): boolean {
  const site = headers.get("sec-fetch-site");
  return site === "cross-site" || site === "same-site";
}
