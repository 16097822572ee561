// @vitest-environment node
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  MIN_SECRET_LENGTH,
  SESSION_TTL_SECONDS,
  SessionSecretError,
  deriveSessionKey,
  isCrossSite,
  isHttps,
  newSession,
  seal,
  sessionCookieOptions,
  sessionKey,
  unseal,
} from "./session";

const secret = "0123456789abcdef0123456789abcdef";
const key = deriveSessionKey(secret);
const now = Date.UTC(2026, 11, 4, 12, 0, 0);

describe("seal and unseal", () => {
  it("round-trips a session and hides the key", () => {
    const s = newSession("neo_ak_secret-value", now);
    const token = seal(s, key);
    expect(token.startsWith("v1.")).toBe(true);
    expect(token).not.toContain("neo_ak");
    expect(Buffer.from(token.slice(3), "base64url").toString("latin1")).not.toContain("secret-value");
    expect(unseal(token, key, now)).toEqual(s);
    expect(s.expiresAt - s.issuedAt).toBe(SESSION_TTL_SECONDS);
  });

  it("seals the same session differently each time (random IV)", () => {
    const s = newSession("neo_ak_x", now);
    expect(seal(s, key)).not.toBe(seal(s, key));
  });

  it("refuses a session at or after its expiry", () => {
    const s = newSession("neo_ak_x", now);
    const token = seal(s, key);
    expect(unseal(token, key, s.expiresAt * 1000 - 1)).not.toBeNull();
    expect(unseal(token, key, s.expiresAt * 1000)).toBeNull();
  });

  it("refuses a token sealed with another secret", () => {
    const token = seal(newSession("neo_ak_x", now), key);
    expect(unseal(token, deriveSessionKey("another secret of at least 32 chars!"), now)).toBeNull();
  });

  it("refuses every changed byte", () => {
    const token = seal(newSession("neo_ak_x", now), key);
    const raw = Buffer.from(token.slice(3), "base64url");
    for (let i = 0; i < raw.length; i++) {
      const bent = Buffer.from(raw);
      bent[i] ^= 0x01;
      expect(unseal(`v1.${bent.toString("base64url")}`, key, now), `byte ${i}`).toBeNull();
    }
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["other version", "v2.AAAA"],
    ["no version", "abcdef"],
    ["too short", "v1.AAAA"],
    ["not base64", "v1.!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"],
  ])("refuses a %s token without throwing", (_, token) => {
    expect(unseal(token, key, now)).toBeNull();
  });
});

describe("the session secret", () => {
  it("refuses a short NEOSYNC_WEB_SESSION_SECRET, naming it", () => {
    expect(() => deriveSessionKey("x".repeat(MIN_SECRET_LENGTH - 1))).toThrow(SessionSecretError);
    expect(() => deriveSessionKey("short")).toThrow(/NEOSYNC_WEB_SESSION_SECRET must be at least 32 characters/);
  });

  it("derives the same key from the same secret, so replicas and restarts agree", () => {
    const a = sessionKey({ NEOSYNC_WEB_SESSION_SECRET: secret });
    expect(a.generated).toBe(false);
    expect(a.key.equals(key)).toBe(true);
    const token = seal(newSession("neo_ak_x", now), a.key);
    expect(unseal(token, sessionKey({ NEOSYNC_WEB_SESSION_SECRET: secret }).key, now)?.apiKey).toBe("neo_ak_x");
  });

  it("generates one random key per process when the secret is unset", () => {
    const a = sessionKey({});
    const b = sessionKey({});
    expect(a.generated).toBe(true);
    expect(a.key).toHaveLength(32);
    expect(b.key.equals(a.key)).toBe(true);
    expect(a.key.equals(randomBytes(32))).toBe(false);
    expect(a.key.equals(key)).toBe(false);
  });
});

describe("the cookie", () => {
  it("is HTTP-only, SameSite=Lax, whole-app, Secure only over HTTPS", () => {
    expect(sessionCookieOptions(false)).toEqual({ httpOnly: true, sameSite: "lax", secure: false, path: "/", maxAge: SESSION_TTL_SECONDS });
    expect(sessionCookieOptions(true).secure).toBe(true);
    expect(sessionCookieOptions(true, 0).maxAge).toBe(0);
  });

  it.each([
    ["http://app.local/", {}, false],
    ["https://app.local/", {}, true],
    ["http://app.local/", { "x-forwarded-proto": "https" }, true],
    ["http://app.local/", { "x-forwarded-proto": "HTTPS, http" }, true],
    ["https://app.local/", { "x-forwarded-proto": "http" }, false],
  ])("%s with %o is HTTPS: %s", (url, headers, want) => {
    expect(isHttps(new URL(url), new Headers(headers))).toBe(want);
  });

  it.each([
    [{}, false],
    [{ "sec-fetch-site": "same-origin" }, false],
    [{ "sec-fetch-site": "none" }, false],
    [{ "sec-fetch-site": "same-site" }, true],
    [{ "sec-fetch-site": "cross-site" }, true],
  ])("%o is cross-site: %s", (headers, want) => {
    expect(isCrossSite(new Headers(headers))).toBe(want);
  });
});
