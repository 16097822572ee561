// Server side of OIDC sign-in (authorization code + PKCE): the web app's
// server talks to the identity provider the API names, keeps the flow's
// secrets (state, PKCE verifier, nonce) in a short-lived sealed HTTP-only
// cookie, and turns the provider's answer into the same sealed session an
// API-key sign-in makes, holding the person's ID token instead of a key.
// The API verifies the token on every call (signature, issuer, audience,
// expiry); this module only reads its expiry and nonce. Never import it from
// a client component: it imports node:crypto and handles tokens.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/** FLOW_COOKIE carries one sign-in attempt between /auth/oidc/start and /auth/oidc/callback. */
export const FLOW_COOKIE = "neosync_oidc_flow";

/** FLOW_TTL_SECONDS bounds how long the person may take at the provider (10 minutes). */
export const FLOW_TTL_SECONDS = 10 * 60;

/** Flow is what one sign-in attempt must remember. */
export interface Flow {
  state: string;
  verifier: string;
  nonce: string;
  /** next is the app page to return to (a path on this app). */
  next: string;
  /** expiresAt is Unix seconds. */
  expiresAt: number;
}

const AAD = Buffer.from(`${FLOW_COOKIE} v1`);

/** newFlow starts a sign-in returning to next (only same-app paths are kept). */
export function newFlow(next: string | null, now = Date.now()): Flow {
  const rnd = () => randomBytes(32).toString("base64url");
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return { state: rnd(), verifier: rnd(), nonce: rnd(), next: safeNext, expiresAt: Math.floor(now / 1000) + FLOW_TTL_SECONDS };
}

/** challenge is the PKCE S256 code challenge of verifier. */
export function challenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/** sealFlow encrypts f under key (AES-256-GCM, bound to this cookie's purpose). */
export function sealFlow(f: Flow, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(AAD);
  const body = Buffer.concat([c.update(JSON.stringify(f), "utf8"), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]).toString("base64url");
}

/** unsealFlow opens a sealed flow; null for anything tampered, foreign or expired. */
export function unsealFlow(token: string | undefined, key: Buffer, now = Date.now()): Flow | null {
  if (!token) return null;
  const raw = Buffer.from(token, "base64url");
  if (raw.length < 29) return null;
  try {
    const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    d.setAAD(AAD);
    d.setAuthTag(raw.subarray(raw.length - 16));
    const f = JSON.parse(Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8")) as Flow;
    if (typeof f.state !== "string" || typeof f.verifier !== "string" || typeof f.expiresAt !== "number") return null;
    return f.expiresAt * 1000 > now ? f : null;
  } catch {
    return null;
  }
}

/** Provider is the part of the provider's discovery document sign-in needs. */
export interface Provider {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** revocationEndpoint (RFC 7009), when the provider has one, lets sign-out revoke the refresh token. */
  revocationEndpoint?: string;
}

/** discover reads issuer's discovery document. */
export async function discover(issuer: string): Promise<Provider> {
  const res = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the identity provider's discovery document answered ${res.status}`);
  const doc = (await res.json()) as { authorization_endpoint?: string; token_endpoint?: string; revocation_endpoint?: string };
  if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error("the identity provider's discovery document names no authorization or token endpoint");
  return { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint, revocationEndpoint: doc.revocation_endpoint || undefined };
}

/** Client is the web app's OIDC client (NEOSYNC_OIDC_CLIENT_ID, NEOSYNC_OIDC_CLIENT_SECRET). */
export interface Client {
  id: string;
  secret?: string;
}

/** webClient reads the web app's client from the environment; null when unset. */
export function webClient(env: Record<string, string | undefined> = process.env): Client | null {
  const id = env.NEOSYNC_OIDC_CLIENT_ID?.trim();
  if (!id) return null;
  return { id, secret: env.NEOSYNC_OIDC_CLIENT_SECRET || undefined };
}

/** authorizationURL is where the browser goes to sign in. */
export function authorizationURL(p: Provider, c: Client, f: Flow, redirectURI: string): string {
  const u = new URL(p.authorizationEndpoint);
  u.search = new URLSearchParams({
    response_type: "code",
    client_id: c.id,
    redirect_uri: redirectURI,
    // offline_access asks for a refresh token, so the session outlives the ID token.
    scope: "openid profile email offline_access",
    state: f.state,
    nonce: f.nonce,
    code_challenge: challenge(f.verifier),
    code_challenge_method: "S256",
  }).toString();
  return u.toString();
}

/** Tokens are the provider's answer to the code exchange or a refresh. */
export interface Tokens {
  idToken: string;
  accessToken: string;
  /** refreshToken is empty when the provider gave none (it may not support offline_access). */
  refreshToken: string;
}

/** clientRequest authenticates the client at the provider: client_secret_basic with a secret, else client_id in the form. */
function clientRequest(c: Client, form: URLSearchParams): RequestInit {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (c.secret) {
    headers.Authorization = `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString("base64")}`;
  } else {
    form.set("client_id", c.id);
  }
  return { method: "POST", headers, body: form, signal: AbortSignal.timeout(10_000) };
}

/** tokenRequest posts form to the token endpoint; what names the request in errors ("sign-in", "refresh"). */
async function tokenRequest(p: Provider, c: Client, form: URLSearchParams, what: string): Promise<Tokens> {
  const res = await fetch(p.tokenEndpoint, clientRequest(c, form));
  const body = (await res.json().catch(() => ({}))) as { id_token?: string; access_token?: string; refresh_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.id_token) {
    throw new Error(`the identity provider refused the ${what}: ${body.error ?? res.status}${body.error_description ? ` (${body.error_description})` : ""}`);
  }
  return { idToken: body.id_token, accessToken: body.access_token ?? "", refreshToken: body.refresh_token ?? "" };
}

/** exchange trades the code for tokens. */
export function exchange(p: Provider, c: Client, code: string, verifier: string, redirectURI: string): Promise<Tokens> {
  return tokenRequest(p, c, new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectURI, code_verifier: verifier }), "sign-in");
}

/**
 * refresh trades a refresh token for a new ID token (and, with providers
 * that rotate them, a new refresh token; otherwise refreshToken is the one
 * given).
 */
export async function refresh(p: Provider, c: Client, refreshToken: string): Promise<Tokens> {
  const t = await tokenRequest(p, c, new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }), "refresh");
  return { ...t, refreshToken: t.refreshToken || refreshToken };
}

/** revoke asks the provider to forget a refresh token (RFC 7009); without a revocation endpoint it does nothing. */
export async function revoke(p: Provider, c: Client, refreshToken: string): Promise<void> {
  if (!p.revocationEndpoint) return;
  const res = await fetch(p.revocationEndpoint, clientRequest(c, new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token" })));
  if (!res.ok) throw new Error(`the identity provider refused to revoke the refresh token (HTTP ${res.status})`);
}

/** claims reads an ID token's payload without verifying it (the API does). */
export function claims(idToken: string): { exp?: number; iat?: number; nonce?: string; iss?: string } {
  const part = idToken.split(".")[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return {};
  }
}
