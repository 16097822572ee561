// @vitest-environment node
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { middleware } from "../middleware";
import { flush, parseTraceparent, traceConfig } from "./webtrace";

describe("traceConfig", () => {
  it("is off without an endpoint, disabled or with exporter none", () => {
    expect(traceConfig({})).toBeNull();
    expect(traceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" })).toBeNull();
    expect(traceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" })).toBeNull();
  });
  it("reads the standard endpoint, headers and service name", () => {
    expect(traceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/", OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Bearer%20x, k = v" })).toEqual({
      url: "http://c:4318/v1/traces",
      headers: { "content-type": "application/json", authorization: "Bearer x", k: "v" },
      service: "neosync-web",
    });
    expect(traceConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t/x", OTEL_SERVICE_NAME: "web" })).toMatchObject({
      url: "http://t/x",
      service: "web",
    });
  });
});

describe("parseTraceparent", () => {
  it("accepts W3C version 00 and refuses malformed or all-zero ids", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    for (const bad of [null, "", "00-xyz-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });
});

// The proxy with tracing on, against a real OTLP/HTTP endpoint (a local
// server recording what it receives).
describe("the /api proxy with OTEL_EXPORTER_OTLP_ENDPOINT set", () => {
  let server: Server;
  const received: { path: string; type: string; body: string }[] = [];
  const env = { ...process.env };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.NEOSYNC_API_URL = "http://api.test:8080";
  });
  afterAll(async () => {
    process.env = { ...env };
    await new Promise((r) => server.close(r));
  });

  it("sends the API a traceparent of its own span, child of the browser's, and exports that span", async () => {
    const browser = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await middleware(
      new NextRequest("http://app.test/api/mgmt.v1alpha1.JobService/CreateJobRun", { method: "POST", headers: { traceparent: browser } }),
    );
    const sent = parseTraceparent(res.headers.get("x-middleware-request-traceparent"));
    expect(sent?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(sent?.spanId).not.toBe("00f067aa0ba902b7");
    await flush(traceConfig(process.env)!);
    expect(received).toHaveLength(1);
    expect(received[0].path).toBe("/v1/traces");
    expect(received[0].type).toBe("application/json");
    const rs = JSON.parse(received[0].body).resourceSpans[0];
    expect(rs.resource.attributes).toContainEqual({ key: "service.name", value: { stringValue: "neosync-web" } });
    const span = rs.scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: sent?.traceId,
      spanId: sent?.spanId,
      parentSpanId: "00f067aa0ba902b7",
      name: "POST /mgmt.v1alpha1.JobService/CreateJobRun",
      kind: 3,
    });
    expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
  });

  it("starts a trace when the caller sent none", async () => {
    received.length = 0;
    const res = await middleware(new NextRequest("http://app.test/api/mgmt.v1alpha1.JobService/GetJobs", { method: "POST" }));
    const sent = parseTraceparent(res.headers.get("x-middleware-request-traceparent"));
    expect(sent).not.toBeNull();
    await flush(traceConfig(process.env)!);
    const span = JSON.parse(received[0].body).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toBe(sent?.traceId);
    expect(span.parentSpanId).toBeUndefined();
  });
});
