// @vitest-environment node
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { middleware } from "./middleware";
import { SESSION_COOKIE, newSession, seal, sessionKey } from "./lib/session";

// The middleware answers with Next's rewrite instructions: the target in
// x-middleware-rewrite, request headers to send in x-middleware-request-*
// (the list of all of them in x-middleware-override-headers).
const forwarded = (res: Response) => (res.headers.get("x-middleware-override-headers") ?? "").split(",").filter(Boolean);

describe("the /api proxy", () => {
  const env = { ...process.env };
  beforeEach(() => {
    process.env.NEOSYNC_API_URL = "http://api.test:8080";
    process.env.NEOSYNC_WEB_SESSION_SECRET = "proxy-test-secret-0123456789abcdef";
  });
  afterEach(() => {
    process.env = { ...env };
  });

  const call = (headers: Record<string, string>) =>
    middleware(new NextRequest("http://app.test/api/mgmt.v1alpha1.JobService/GetJobs?x=1", { method: "POST", headers }));

  it("forwards to NEOSYNC_API_URL without a session, adding nothing", async () => {
    const res = await call({ "content-type": "application/json" });
    expect(res.headers.get("x-middleware-rewrite")).toBe("http://api.test:8080/mgmt.v1alpha1.JobService/GetJobs?x=1");
    expect(forwarded(res)).not.toContain("authorization");
  });

  it("starts no span when tracing is off: a caller's traceparent passes unchanged, none is added", async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect((await call({ traceparent: caller })).headers.get("x-middleware-request-traceparent")).toBe(caller);
    expect(forwarded(await call({}))).not.toContain("traceparent");
  });

  it("sends the session's key as a bearer token and not the cookie", async () => {
    const token = seal(newSession("neo_ak_proxy"), sessionKey().key);
    const res = await call({ cookie: `${SESSION_COOKIE}=${token}; other=1`, "sec-fetch-site": "same-origin" });
    expect(res.headers.get("x-middleware-request-authorization")).toBe("Bearer neo_ak_proxy");
    expect(forwarded(res)).toContain("authorization");
    expect(forwarded(res)).not.toContain("cookie");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("drops a cookie it cannot open and adds no key", async () => {
    const res = await call({ cookie: `${SESSION_COOKIE}=v1.forged` });
    expect(forwarded(res)).not.toContain("authorization");
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  // An OIDC session whose refresh cannot happen (here: the web app has no
  // OIDC client, so no request leaves the process).
  const oidcSession = (tokenExpiresIn: number) => {
    const now = Math.floor(Date.now() / 1000);
    return seal({ apiKey: "id-token", issuedAt: now, expiresAt: now + 3600, tokenExpiresAt: now + tokenExpiresIn, refreshToken: "r", issuer: "http://op.test/" }, sessionKey().key);
  };

  it("keeps using an ID token that is about to expire when the refresh fails", async () => {
    delete process.env.NEOSYNC_OIDC_CLIENT_ID;
    const res = await call({ cookie: `${SESSION_COOKIE}=${oidcSession(30)}`, "sec-fetch-site": "same-origin" });
    expect(res.headers.get("x-middleware-request-authorization")).toBe("Bearer id-token");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("ends the session when the ID token has expired and cannot be refreshed", async () => {
    delete process.env.NEOSYNC_OIDC_CLIENT_ID;
    const res = await call({ cookie: `${SESSION_COOKIE}=${oidcSession(-1)}`, "sec-fetch-site": "same-origin" });
    expect(forwarded(res)).not.toContain("authorization");
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });

  it("refuses another site's request that carries the session", async () => {
    const token = seal(newSession("neo_ak_proxy"), sessionKey().key);
    const res = await call({ cookie: `${SESSION_COOKIE}=${token}`, "sec-fetch-site": "cross-site" });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-middleware-rewrite")).toBeNull();
  });
});
