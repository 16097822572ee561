"use client";

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Badge } from "./ui";

type Tone = "green" | "yellow" | "red" | "gray";

/** statusTone colours a verification status: OK green, WARN amber, FAIL red. */
export function reportStatusTone(status: string): Tone {
  switch (status) {
    case "OK":
      return "green";
    case "WARN":
      return "yellow";
    case "FAIL":
      return "red";
  }
  return "gray";
}

interface Finding {
  status: string;
  destination: string;
  message: string;
}

/** findingsOf reads the report's findings (the worker lists them worst first). */
function findingsOf(report: JsonObject): Finding[] {
  const list = report.findings;
  if (!Array.isArray(list)) return [];
  return list.flatMap((f: JsonValue) => {
    if (f === null || typeof f !== "object" || Array.isArray(f)) return [];
    return [{ status: String(f.status ?? ""), destination: String(f.destination ?? ""), message: String(f.message ?? "") }];
  });
}

/**
 * ReportVerdict shows a run report's verdict first: its status (OK, WARN or
 * FAIL against the job's leak policy) and its WARN and FAIL findings, worst
 * first. A report recorded before reports had a status shows nothing.
 */
export function ReportVerdict({ report }: { report: JsonObject }) {
  const status = typeof report.status === "string" ? report.status : "";
  if (!status) return null;
  const findings = findingsOf(report);
  return (
    <div className="mb-4 space-y-2" aria-label="Verification verdict">
      <p className="text-sm text-slate-700">
        Verdict <Badge tone={reportStatusTone(status)}>{status}</Badge>
        {findings.length === 0 && <span className="ml-2 text-slate-500">counts, keys and leak scans are as expected</span>}
      </p>
      {findings.length > 0 && (
        <ul className="space-y-1.5">
          {findings.map((f, i) => (
            <li key={i} className="flex items-start gap-2 text-sm">
              <Badge tone={reportStatusTone(f.status)}>{f.status}</Badge>
              <span className="text-slate-800">
                {f.destination && <span className="font-medium">{f.destination}: </span>}
                {f.message}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** withoutVerdict is the report without the fields ReportVerdict shows. */
export function withoutVerdict(report: JsonObject): JsonObject {
  const rest: JsonObject = { ...report };
  delete rest.status;
  delete rest.findings;
  return rest;
}
