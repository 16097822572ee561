// @vitest-environment node
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE, newSession, seal, sessionKey } from "@/lib/session";
import { DELETE, GET, POST } from "./route";

// These cases never reach the API: the key is refused, or the session only
// read or cleared, before any call. Sign-in against a real API is covered
// by e2e/signin.mjs.
describe("/auth/session", () => {
  const env = { ...process.env };
  beforeEach(() => {
    process.env.NEOSYNC_WEB_SESSION_SECRET = "route-test-secret-0123456789abcdef";
    process.env.NEOSYNC_API_URL = "http://127.0.0.1:1";
  });
  afterEach(() => {
    process.env = { ...env };
  });

  const req = (method: string, init: { headers?: Record<string, string>; body?: string; url?: string } = {}) =>
    new NextRequest(init.url ?? "http://app.test/auth/session", { method, headers: init.headers, body: init.body });

  it("GET says signed out without a cookie and with a bad one", async () => {
    expect(await (await GET(req("GET"))).json()).toEqual({ signedIn: false });
    expect(await (await GET(req("GET", { headers: { cookie: `${SESSION_COOKIE}=v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` } }))).json()).toEqual({ signedIn: false });
  });

  it("GET says signed in with a sealed session, never returning the key", async () => {
    const s = newSession("neo_ak_route");
    const res = GET(req("GET", { headers: { cookie: `${SESSION_COOKIE}=${seal(s, sessionKey().key)}` } }));
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ signedIn: true, expiresAt: s.expiresAt });
    expect(text).not.toContain("neo_ak_route");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("POST refuses an empty key with a readable error and sets no cookie", async () => {
    const res = await POST(req("POST", { body: JSON.stringify({ apiKey: "  " }), headers: { "content-type": "application/json" } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Enter an API key." });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("POST says so when the API cannot be reached", async () => {
    const res = await POST(req("POST", { body: JSON.stringify({ apiKey: "neo_ak_x" }) }));
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatch(/NEOSYNC_API_URL/);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("POST refuses a body that is not JSON", async () => {
    const res = await POST(req("POST", { body: "apiKey=neo_ak_x" }));
    expect(res.status).toBe(400);
  });

  it.each(["POST", "DELETE"])("%s refuses another site's request", async (method) => {
    const handler = method === "POST" ? POST : DELETE;
    const res = await handler(req(method, { headers: { "sec-fetch-site": "cross-site" }, body: method === "POST" ? "{}" : undefined }));
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("DELETE clears the cookie with the session's attributes (Secure behind an HTTPS proxy)", async () => {
    const plain = await DELETE(req("DELETE"));
    expect(plain.status).toBe(204);
    const cookie = plain.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(cookie).toMatch(/Max-Age=0/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).not.toMatch(/Secure/);
    const proxied = await DELETE(req("DELETE", { headers: { "x-forwarded-proto": "https" } }));
    expect(proxied.headers.get("set-cookie")).toMatch(/Secure/);
  });
});
