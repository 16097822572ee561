// End-to-end test of one trace across the platform: the built web app, the
// API, Temporal and the worker all export to an OTLP/HTTP receiver in this
// process; a "browser" call to CreateJobRun through the web app's /api proxy
// must come back as one trace whose worker database query descends, through
// the worker's activity and workflow, the API's start of the workflow and its
// CreateJobRun, from the web app's span of the call — itself the child of the
// browser's span. Exits non-zero on failure.
//
// Needs: `npm run build` first, bin/* (`make build`), .bin/temporal and
// Postgres on 127.0.0.1:5432 (no browser: the call is made with fetch).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { freePort, psql, reportFailure, runCleanups, startStack, waitFor } from "./stack.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, "..");
const started = Date.now();

function step(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

const hex = (b) => Buffer.from(b).toString("hex");

// Reads the fields of one protobuf message, calling on(fieldNo, reader,
// wireType) for each; on returns false for a field it does not read.
function fields(bytes, on) {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (!on(no, r, wt)) r.skip(wt, no);
  }
}

// keyValue decodes an opentelemetry.proto.common.v1.KeyValue, keeping string values.
function keyValue(bytes) {
  let key = "";
  let value = "";
  fields(bytes, (no, r, wt) => {
    if (no === 1 && wt === WireType.LengthDelimited) key = r.string();
    else if (no === 2 && wt === WireType.LengthDelimited) fields(r.bytes(), (n, rr, w) => n === 1 && w === WireType.LengthDelimited && ((value = rr.string()), true));
    else return false;
    return true;
  });
  return [key, value];
}

// decodeProto reads the spans of an ExportTraceServiceRequest (the Go
// services' protobuf export): service name, ids, name and string attributes.
function decodeProto(body) {
  const out = [];
  fields(body, (no, r) => {
    if (no !== 1) return false;
    let service = "";
    const spans = [];
    fields(r.bytes(), (rsNo, rs) => {
      if (rsNo === 1) {
        fields(rs.bytes(), (resNo, res) => {
          if (resNo !== 1) return false;
          const [k, v] = keyValue(res.bytes());
          if (k === "service.name") service = v;
          return true;
        });
      } else if (rsNo === 2) {
        fields(rs.bytes(), (ssNo, ss) => {
          if (ssNo !== 2) return false;
          const s = { traceId: "", spanId: "", parentSpanId: "", name: "", attrs: {} };
          fields(ss.bytes(), (f, sp) => {
            if (f === 1) s.traceId = hex(sp.bytes());
            else if (f === 2) s.spanId = hex(sp.bytes());
            else if (f === 4) s.parentSpanId = hex(sp.bytes());
            else if (f === 5) s.name = sp.string();
            else if (f === 9) {
              const [k, v] = keyValue(sp.bytes());
              s.attrs[k] = v;
            } else return false;
            return true;
          });
          spans.push(s);
          return true;
        });
      } else return false;
      return true;
    });
    for (const s of spans) out.push({ ...s, service });
    return true;
  });
  return out;
}

// decodeJSON reads the spans of an OTLP/HTTP JSON export (the web app's).
function decodeJSON(text) {
  const out = [];
  for (const rs of JSON.parse(text).resourceSpans ?? []) {
    const service = (rs.resource?.attributes ?? []).find((a) => a.key === "service.name")?.value?.stringValue ?? "";
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const attrs = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, a.value?.stringValue ?? ""]));
        out.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", name: s.name, attrs });
      }
    }
  }
  return out;
}

function startReceiver() {
  const spans = [];
  const formats = new Set();
  const srv = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        let body = Buffer.concat(chunks);
        if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
        const json = (req.headers["content-type"] ?? "").startsWith("application/json");
        formats.add(json ? "json" : "protobuf");
        spans.push(...(json ? decodeJSON(body.toString()) : decodeProto(body)));
        res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" }).end(json ? "{}" : "");
      } catch (e) {
        res.writeHead(400).end(String(e));
      }
    });
  });
  return new Promise((ok) => srv.listen(0, "127.0.0.1", () => ok({ url: `http://127.0.0.1:${srv.address().port}`, spans, formats, close: () => new Promise((r) => srv.close(r)) })));
}

async function call(base, method, body, headers = {}) {
  const res = await fetch(`${base}/mgmt.v1alpha1.${method}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

async function main() {
  if (!existsSync(join(appDir, ".next", "BUILD_ID"))) throw new Error("the app is not built: run `npm run build` first");
  const cleanups = [];
  let failed = false;
  try {
    const otlp = await startReceiver();
    cleanups.push(() => otlp.close());
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: "100" };
    step(`starting Postgres databases, Temporal, API and worker exporting traces to ${otlp.url}`);
    const stack = await startStack({ log: (m) => step(m), apiEnv: otel, workerEnv: otel });
    cleanups.unshift(() => stack.stop());
    psql(stack.dbs.source, "CREATE TABLE public.traced (id int PRIMARY KEY, note text NOT NULL); INSERT INTO public.traced SELECT g, 'note ' || g FROM generate_series(1, 500) g;");
    const { accountId } = await call(stack.apiURL, "UserAccountService/SetPersonalAccount", {});
    const ids = [];
    for (const [name, url] of [["traced-source", stack.sourceURL], ["traced-dest", stack.destURL]]) {
      ids.push((await call(stack.apiURL, "ConnectionService/CreateConnection", { accountId, name, connectionConfig: { pgConfig: { url } } })).connection.id);
    }
    const { job } = await call(stack.apiURL, "JobService/CreateJob", {
      accountId,
      jobName: "traced",
      source: { sync: { connectionId: ids[0] } },
      destinations: [{ connectionId: ids[1], options: { initTableSchema: true, truncateBeforeInsert: true } }],
      mappings: ["id", "note"].map((column) => ({ schema: "public", table: "traced", column, transformer: { source: "passthrough" } })),
    });

    const port = await freePort();
    const appURL = `http://127.0.0.1:${port}`;
    step(`starting the web app on ${appURL} exporting traces`);
    const next = spawn(join(appDir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: appDir,
      env: { ...process.env, ...otel, NEOSYNC_API_URL: stack.apiURL, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", openSync(join(stack.logDir, "next.log"), "w"), openSync(join(stack.logDir, "next.err.log"), "w")],
    });
    next.logPath = join(stack.logDir, "next.log");
    cleanups.unshift(() => new Promise((r) => (next.exitCode !== null ? r() : (next.once("exit", r), next.kill("SIGTERM")))));
    await waitFor("web app", async () => (await fetch(`${appURL}/connections`)).ok, 60, next);

    step("the browser's call: CreateJobRun through the web app with its own traceparent");
    const traceId = randomBytes(16).toString("hex");
    const browserSpan = randomBytes(8).toString("hex");
    const { jobRun } = await call(`${appURL}/api`, "JobService/CreateJobRun", { jobId: job.id }, { traceparent: `00-${traceId}-${browserSpan}-01` });
    await waitFor(
      "the run to complete",
      async () => {
        const { jobRun: r } = await call(stack.apiURL, "JobService/GetJobRun", { jobRunId: jobRun.id });
        if (["JOB_RUN_STATUS_FAILED", "JOB_RUN_STATUS_CANCELED", "JOB_RUN_STATUS_TERMINATED"].includes(r.status)) throw new Error(`run ended ${r.status}: ${r.error}`);
        return r.status === "JOB_RUN_STATUS_COMPLETE";
      },
      180,
    );

    step("one trace from the browser's span through the web app, the API and Temporal to the worker's query");
    const want = [
      ["neosync-worker", "RunActivity:"],
      ["neosync-worker", "RunWorkflow:DataSync"],
      ["neosync-api", "StartWorkflow:DataSync"],
      ["neosync-api", "mgmt.v1alpha1.JobService/CreateJobRun"],
      ["neosync-web", "POST /mgmt.v1alpha1.JobService/CreateJobRun"],
    ];
    let path = [];
    await waitFor(
      "a worker query whose ancestry reaches the browser's span",
      () => {
        const byId = new Map(otlp.spans.filter((s) => s.traceId === traceId).map((s) => [s.spanId, s]));
        for (const s of byId.values()) {
          if (s.service !== "neosync-worker" || s.attrs["db.system.name"] !== "postgresql") continue;
          const chain = [s];
          for (let p = byId.get(s.parentSpanId); p; p = byId.get(p.parentSpanId)) chain.push(p);
          path = chain.map((c) => `${c.service} ${c.name}`);
          const top = chain[chain.length - 1];
          if (top.service !== "neosync-web" || top.parentSpanId !== browserSpan) continue;
          let next = 0;
          for (const c of chain.slice(1)) if (next < want.length && c.service === want[next][0] && c.name.startsWith(want[next][1])) next++;
          if (next === want.length) return true;
        }
        return false;
      },
      60,
    ).catch((e) => {
      throw new Error(`${e.message}: ${otlp.spans.filter((s) => s.traceId === traceId).length} spans of the trace, receiver got ${[...otlp.formats]}; last worker query's ancestry: ${JSON.stringify(path)}`);
    });
    step(`ancestry: ${path.join(" ← ")}`);
  } catch (e) {
    failed = true;
    await reportFailure("trace e2e", e);
  } finally {
    await runCleanups(cleanups);
  }
  if (failed) process.exit(1);
  console.log(`trace e2e passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

await main();
