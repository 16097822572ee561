// @vitest-environment node
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authorizationURL, challenge, claims, newFlow, sealFlow, unsealFlow } from "./oidc";

describe("oidc", () => {
  it("computes the PKCE S256 challenge: base64url(SHA-256(verifier)) without padding", () => {
    // echo -n VERIFIER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
    expect(challenge("dBjftJeZ4CVP-mJ92K9qpYtKXq_9qLfR4HwRn8ql9CE")).toBe("gr6JJHEivyF0J6ObgqE0KoeTb6DAPnCuVA4EiTwL56Y");
  });

  it("keeps only same-app return paths", () => {
    expect(newFlow("/jobs?x=1").next).toBe("/jobs?x=1");
    expect(newFlow("//evil.example/").next).toBe("/");
    expect(newFlow("https://evil.example/").next).toBe("/");
    expect(newFlow(null).next).toBe("/");
  });

  it("opens a sealed flow only with its key, untampered and in time", () => {
    const key = randomBytes(32);
    const now = Date.now();
    const f = newFlow("/", now);
    const token = sealFlow(f, key);
    expect(unsealFlow(token, key, now)).toEqual(f);
    expect(unsealFlow(token, randomBytes(32), now)).toBeNull();
    const raw = Buffer.from(token, "base64url");
    raw[20] ^= 1;
    expect(unsealFlow(raw.toString("base64url"), key, now)).toBeNull();
    expect(unsealFlow(token, key, now + 11 * 60_000)).toBeNull();
    expect(unsealFlow(undefined, key, now)).toBeNull();
  });

  it("asks for the code flow with PKCE, state and nonce", () => {
    const f = newFlow("/");
    const u = new URL(authorizationURL({ authorizationEndpoint: "https://idp.example/auth?tenant=a", tokenEndpoint: "" }, { id: "web" }, f, "https://app.example/auth/oidc/callback"));
    expect(u.searchParams.get("tenant")).toBeNull();
    expect(u.searchParams.get("response_type")).toBe("code");
    expect(u.searchParams.get("client_id")).toBe("web");
    expect(u.searchParams.get("state")).toBe(f.state);
    expect(u.searchParams.get("nonce")).toBe(f.nonce);
    expect(u.searchParams.get("code_challenge")).toBe(challenge(f.verifier));
    expect(u.searchParams.get("code_challenge_method")).toBe("S256");
    expect(u.searchParams.get("code_verifier")).toBeNull();
  });

  it("reads an ID token's exp and nonce", () => {
    const payload = Buffer.from(JSON.stringify({ exp: 123, nonce: "n" })).toString("base64url");
    expect(claims(`h.${payload}.s`)).toEqual({ exp: 123, nonce: "n" });
    expect(claims("garbage")).toEqual({});
  });
});
