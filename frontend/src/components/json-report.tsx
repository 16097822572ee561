"use client";

import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Table, Td } from "./ui";

function isScalar(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || typeof v !== "object";
}

/** isFlat: a scalar, a list of scalars, or a record of scalars (such as {schema, table}). */
function isFlat(v: JsonValue | undefined): boolean {
  if (isScalar(v)) return true;
  if (Array.isArray(v)) return v.every(isScalar);
  return Object.values(v as JsonObject).every(isScalar);
}

function cell(v: JsonValue): string {
  if (v === null) return "—";
  if (Array.isArray(v) && v.every(isScalar)) return v.map(cell).join(", ");
  if (typeof v === "object" && !Array.isArray(v) && Object.values(v).every(isScalar)) return Object.values(v).map(cell).join(".");
  if (typeof v === "object") return JSON.stringify(v);
  if (typeof v === "number") return new Intl.NumberFormat().format(v);
  return String(v);
}

/** isText: a string too long or multi-line for a grid cell. */
function isText(v: JsonValue): boolean {
  return typeof v === "string" && (v.includes("\n") || v.length > 80);
}

function label(k: string): string {
  return k.replace(/_/g, " ");
}

function isRowList(v: JsonValue): v is JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((r) => r !== null && typeof r === "object" && !Array.isArray(r));
}

/** columnRank puts a report table's columns in reading order: what it is, source rows, destination rows, then the result. */
const columnRank: Record<string, number> = { destination: 0, table: 1, column: 2, source_rows_before: 3, source_rows: 4, copied_rows: 5, dest_rows: 6, problem: 90, enforced_by: 91 };

/** orderColumns sorts columns by columnRank, keeping the others in their order between the counts and the result. */
export function orderColumns(cols: string[]): string[] {
  return cols.map((c, i) => [c, columnRank[c] ?? 50 + i / 1000] as const).sort((a, b) => a[1] - b[1]).map(([c]) => c);
}

/** JsonReport renders a run's verification report: lists of records as tables, the rest as fields. */
export function JsonReport({ value, depth = 0 }: { value: JsonValue; depth?: number }) {
  if (isRowList(value)) {
    const cols = orderColumns(Array.from(new Set(value.flatMap((r) => Object.keys(r)))));
    const simple = cols.filter((c) => value.every((r) => isFlat(r[c])));
    const nested = cols.filter((c) => !simple.includes(c));
    if (nested.length === 0) {
      return (
        <Table head={simple.map(label)}>
          {value.map((r, i) => (
            <tr key={i}>
              {simple.map((c) => (
                <Td key={c} className="tabular-nums whitespace-nowrap">
                  {r[c] === undefined ? "—" : cell(r[c])}
                </Td>
              ))}
            </tr>
          ))}
        </Table>
      );
    }
    // Records that hold lists of their own (a destination with its tables,
    // leaks, ...): one block per record, its lists as sub-sections.
    return (
      <div className="space-y-4">
        {value.map((r, i) => (
          <div key={i} className="rounded-md border border-slate-200 p-3">
            <p className="mb-3 text-sm font-semibold text-slate-900">
              {simple.map((c) => (r[c] === undefined ? null : <span key={c} className="mr-4">{label(c)}: {cell(r[c])}</span>))}
            </p>
            <div className="space-y-4">
              {nested.map((c) => (
                <div key={c}>
                  <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{label(c)}</h4>
                  {r[c] === undefined || r[c] === null || (Array.isArray(r[c]) && r[c].length === 0) ? (
                    <p className="text-sm text-slate-500">none</p>
                  ) : (
                    <JsonReport value={r[c]} depth={depth + 1} />
                  )}
                </div>
              ))}
            </div>
          </div>
        ))}
      </div>
    );
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    // The summary is read first.
    const entries = Object.entries(value).sort(([a], [b]) => Number(b === "summary") - Number(a === "summary"));
    const scalars = entries.filter(([, v]) => v === null || typeof v !== "object");
    const complex = entries.filter(([, v]) => v !== null && typeof v === "object");
    return (
      <div className="space-y-4">
        {scalars.length > 0 && (
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            {scalars.map(([k, v]) =>
              isText(v) ? (
                // multi-line or long text (a summary) gets the full width, lines kept
                <div key={k} className="col-span-full">
                  <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label(k)}</dt>
                  <dd className="mt-1 max-h-80 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap text-slate-800 ring-1 ring-inset ring-slate-200">{String(v)}</dd>
                </div>
              ) : (
                <div key={k}>
                  <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label(k)}</dt>
                  <dd className="mt-0.5 tabular-nums text-slate-900">{cell(v)}</dd>
                </div>
              ),
            )}
          </dl>
        )}
        {complex.map(([k, v]) => (
          <div key={k}>
            <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{label(k)}</h3>
            <JsonReport value={v} depth={depth + 1} />
          </div>
        ))}
      </div>
    );
  }
  if (Array.isArray(value)) return <p className="text-sm text-slate-700">{value.length ? value.map(cell).join(", ") : "none"}</p>;
  return <p className="text-sm text-slate-700">{cell(value)}</p>;
}
