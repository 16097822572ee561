// @vitest-environment node
import { describe, expect, it } from "vitest";
import { SESSION_TTL_SECONDS, deriveSessionKey, seal, unseal } from "./session";
import { REFRESH_MARGIN_SECONDS, freshSession, needsRefresh, sessionFromTokens, tokenExpired } from "./token-refresh";

const now = Date.UTC(2026, 11, 5, 1, 0, 0);
const nowS = now / 1000;
const jwt = (payload: object) => `h.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.s`;
const issuer = "http://localhost:9998/";

describe("sessionFromTokens", () => {
  it("with a refresh token, lasts the session lifetime and remembers the ID token's expiry", () => {
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 3600 }), accessToken: "a", refreshToken: "r1" }, issuer, now);
    expect(s).toEqual({ apiKey: jwt({ exp: nowS + 3600 }), issuedAt: nowS, expiresAt: nowS + SESSION_TTL_SECONDS, tokenExpiresAt: nowS + 3600, refreshToken: "r1", issuer });
  });

  it("without a refresh token, ends with the ID token", () => {
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 300 }), accessToken: "", refreshToken: "" }, issuer, now);
    expect(s.expiresAt).toBe(nowS + 300);
    expect(s.refreshToken).toBeUndefined();
    expect(needsRefresh(s, now + 299_000)).toBe(false);
  });

  it("keeps the start of a refreshed session", () => {
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 3600 }), accessToken: "", refreshToken: "r2" }, issuer, now, nowS - 100);
    expect(s.issuedAt).toBe(nowS - 100);
    expect(s.expiresAt).toBe(nowS - 100 + SESSION_TTL_SECONDS);
  });
});

describe("needsRefresh and tokenExpired", () => {
  const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 3600 }), accessToken: "", refreshToken: "r" }, issuer, now);
  it("refreshes within the margin before the ID token expires", () => {
    expect(needsRefresh(s, now)).toBe(false);
    expect(needsRefresh(s, (nowS + 3600 - REFRESH_MARGIN_SECONDS - 1) * 1000)).toBe(false);
    expect(needsRefresh(s, (nowS + 3600 - REFRESH_MARGIN_SECONDS) * 1000)).toBe(true);
    expect(tokenExpired(s, (nowS + 3599) * 1000)).toBe(false);
    expect(tokenExpired(s, (nowS + 3600) * 1000)).toBe(true);
  });

  it("never refreshes or expires an API-key session", () => {
    const k = { apiKey: "neo_ak_x", issuedAt: nowS, expiresAt: nowS + 60 };
    expect(needsRefresh(k, now + 3_600_000)).toBe(false);
    expect(tokenExpired(k, now + 3_600_000)).toBe(false);
  });
});

describe("freshSession", () => {
  it("returns a session that needs no refresh as it is, without asking the provider", async () => {
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 3600 }), accessToken: "", refreshToken: "r" }, issuer, now);
    await expect(freshSession(s, now, null)).resolves.toBe(s);
  });

  it("refuses to refresh without the web app's OIDC client", async () => {
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 30 }), accessToken: "", refreshToken: "r" }, issuer, now);
    await expect(freshSession(s, now, null)).rejects.toThrow(/NEOSYNC_OIDC_CLIENT_ID/);
  });
});

describe("the sealed cookie", () => {
  it("carries the refresh token, the issuer and the ID token's expiry", () => {
    const key = deriveSessionKey("0123456789abcdef0123456789abcdef");
    const s = sessionFromTokens({ idToken: jwt({ exp: nowS + 3600 }), accessToken: "", refreshToken: "r-secret" }, issuer, now);
    const token = seal(s, key);
    expect(Buffer.from(token.slice(3), "base64url").toString("latin1")).not.toContain("r-secret");
    expect(unseal(token, key, now)).toEqual(s);
  });
});
