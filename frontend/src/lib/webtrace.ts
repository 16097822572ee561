// Traces the web app's hop to the API: when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, every /api/* call the server
// forwards gets a client span of service "neosync-web" (OTEL_SERVICE_NAME
// overrides) and carries that span in a W3C `traceparent` header, so the
// API's, Temporal's and the worker's spans join one trace that starts here —
// or at the browser, when it sent a traceparent of its own. Spans are sent
// as OTLP/HTTP JSON in small batches; nothing is sent, and no header added,
// when tracing is off (the default) or OTEL_SDK_DISABLED=true or
// OTEL_TRACES_EXPORTER=none.
//
// This is a deliberately small tracer rather than the OpenTelemetry JS SDK:
// the middleware only needs an id, a header and one span per forwarded call.
// The span covers the web server's part — from the request's arrival to its
// hand-off to the proxy — not the API's answer, whose own span is its child.

import { randomBytes } from "node:crypto";

/** Env is the part of process.env the tracer reads. */
export type Env = Record<string, string | undefined>;

/** TraceConfig is where spans go; null when tracing is off. */
export interface TraceConfig {
  url: string;
  headers: Record<string, string>;
  service: string;
}

/** traceConfig reads the standard OTEL_* variables. */
export function traceConfig(env: Env): TraceConfig | null {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return null;
  let url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!url) {
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (!base) return null;
    url = base.replace(/\/+$/, "") + "/v1/traces";
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const source of [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS]) {
    for (const pair of (source ?? "").split(",")) {
      const i = pair.indexOf("=");
      if (i > 0) headers[decodeURIComponent(pair.slice(0, i).trim()).toLowerCase()] = decodeURIComponent(pair.slice(i + 1).trim());
    }
  }
  return { url, headers, service: env.OTEL_SERVICE_NAME || "neosync-web" };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** parseTraceparent returns a valid W3C traceparent's ids, or null. */
export function parseTraceparent(value: string | null | undefined): { traceId: string; spanId: string; sampled: boolean } | null {
  const m = TRACEPARENT.exec((value ?? "").trim().toLowerCase());
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return null;
  return { traceId: m[1], spanId: m[2], sampled: (parseInt(m[3], 16) & 1) === 1 };
}

/** Span is one forwarded call, as OTLP needs it. */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: bigint;
  end?: bigint;
  attributes: Record<string, string>;
}

/** startHop starts the span of one forwarded call, continuing the caller's trace when it sent one. */
export function startHop(incoming: string | null, method: string, path: string): { span: Span; traceparent: string } {
  const parent = parseTraceparent(incoming);
  const span: Span = {
    traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    parentSpanId: parent?.spanId,
    name: `${method} ${path}`,
    start: nowNanos(),
    attributes: { "http.request.method": method, "url.path": path, "rpc.system": "connect_rpc" },
  };
  return { span, traceparent: `00-${span.traceId}-${span.spanId}-01` };
}

function nowNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/** otlpJSON is an OTLP/HTTP JSON export request of spans from service. */
export function otlpJSON(service: string, spans: Span[]): string {
  const attrs = (a: Record<string, string>) => Object.entries(a).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attrs({ "service.name": service }) },
        scopeSpans: [
          {
            scope: { name: "neosync-web" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: 3, // SPAN_KIND_CLIENT: the call to the API
              startTimeUnixNano: s.start.toString(),
              endTimeUnixNano: (s.end ?? s.start).toString(),
              attributes: attrs(s.attributes),
            })),
          },
        ],
      },
    ],
  });
}

// The batch: sent a moment after its first span, or at once when full, so a
// busy page does not make one export per call. A failed export is dropped
// (tracing must never break the app) and announced once.
const maxBatch = 256;
const delayMs = 200;
let pending: Span[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;
let warned = false;

/** endHop ends span and queues it for export to cfg. */
export function endHop(cfg: TraceConfig, span: Span): void {
  span.end = nowNanos();
  pending.push(span);
  if (pending.length >= maxBatch) void flush(cfg);
  else if (!timer) timer = setTimeout(() => void flush(cfg), delayMs);
}

/** flush sends the queued spans now. */
export async function flush(cfg: TraceConfig): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = null;
  const spans = pending;
  pending = [];
  if (spans.length === 0) return;
  try {
    const res = await fetch(cfg.url, { method: "POST", headers: cfg.headers, body: otlpJSON(cfg.service, spans) });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  } catch (err) {
    if (!warned) {
      warned = true;
      console.warn(`neosync web app: sending traces to ${cfg.url} failed (${err instanceof Error ? err.message : String(err)}); spans are dropped until it answers`);
    }
  }
}
