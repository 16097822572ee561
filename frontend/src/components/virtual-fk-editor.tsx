"use client";

import { useState } from "react";
import type { DatabaseColumn } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import { Button, Field, inputClass } from "./ui";

/** VirtualFk is a foreign key the database does not declare, in the API's shape (one or more column pairs). */
export type VirtualFk = {
  schema: string;
  table: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
};

/** vfkLabel renders a virtual foreign key as "s.t(c) → s.t(c)". */
export function vfkLabel(v: VirtualFk): string {
  return `${v.schema}.${v.table}(${v.columns.join(", ")}) → ${v.referencedSchema}.${v.referencedTable}(${v.referencedColumns.join(", ")})`;
}

/**
 * checkVfk validates a new single-column virtual foreign key against the
 * source columns and the ones already declared; "" means it may be added.
 */
export function checkVfk(v: VirtualFk, columns: DatabaseColumn[], existing: VirtualFk[]): string {
  if (!v.table || !v.columns[0] || !v.referencedTable || !v.referencedColumns[0]) return "Choose a column and the column it references.";
  const find = (s: string, t: string, c: string) => columns.find((x) => x.schema === s && x.table === t && x.column === c);
  const child = find(v.schema, v.table, v.columns[0]);
  const parent = find(v.referencedSchema, v.referencedTable, v.referencedColumns[0]);
  if (!child || !parent) return "The column no longer exists in the source.";
  if (child === parent) return "A column cannot reference itself.";
  if (child.dataType !== parent.dataType) return `The types differ: ${child.dataType} and ${parent.dataType}.`;
  if (existing.some((e) => vfkLabel(e) === vfkLabel(v))) return "This foreign key is already declared.";
  return "";
}

const splitTable = (k: string) => {
  const i = k.indexOf(".");
  return { schema: k.slice(0, i), table: k.slice(i + 1) };
};

/**
 * VirtualFkEditor declares foreign keys the source database lacks, so table
 * order and subsets follow them like real ones: pick a column and the column
 * it references (same type), add, remove. Composite keys can be sent by the
 * API but are shown here read-only.
 */
export function VirtualFkEditor({ columns, value, onChange }: { columns: DatabaseColumn[]; value: VirtualFk[]; onChange: (v: VirtualFk[]) => void }) {
  const tables = [...new Set(columns.map((c) => `${c.schema}.${c.table}`))].sort();
  const colsOf = (t: string) => columns.filter((c) => `${c.schema}.${c.table}` === t).sort((a, b) => a.ordinalPosition - b.ordinalPosition);
  const [child, setChild] = useState({ table: "", column: "" });
  const [parent, setParent] = useState({ table: "", column: "" });
  const [error, setError] = useState("");
  const add = () => {
    const c = splitTable(child.table);
    const p = splitTable(parent.table);
    const v: VirtualFk = { schema: c.schema, table: c.table, columns: [child.column], referencedSchema: p.schema, referencedTable: p.table, referencedColumns: [parent.column] };
    const e = checkVfk(v, columns, value);
    setError(e);
    if (e) return;
    onChange([...value, v]);
    setChild({ table: "", column: "" });
    setParent({ table: "", column: "" });
  };
  const picker = (prefix: string, label: string, sel: { table: string; column: string }, set: (v: { table: string; column: string }) => void) => (
    <div className="grid flex-1 grid-cols-2 gap-2">
      <Field label={`${label} table`} htmlFor={`${prefix}-table`}>
        <select id={`${prefix}-table`} className={inputClass} value={sel.table} onChange={(e) => { set({ table: e.target.value, column: "" }); setError(""); }}>
          <option value="">Table…</option>
          {tables.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Field>
      <Field label={`${label} column`} htmlFor={`${prefix}-column`}>
        <select id={`${prefix}-column`} className={inputClass} value={sel.column} onChange={(e) => { set({ ...sel, column: e.target.value }); setError(""); }} disabled={!sel.table}>
          <option value="">Column…</option>
          {colsOf(sel.table).map((c) => (
            <option key={c.column} value={c.column}>
              {c.column} ({c.dataType})
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
  return (
    <div className="space-y-3">
      {value.length === 0 ? (
        <p className="text-sm text-slate-500">None declared: only the database&apos;s own foreign keys are followed.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Virtual foreign keys">
          {value.map((v, i) => (
            <li key={vfkLabel(v)} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
              <span className="break-all font-mono text-xs text-slate-800">{vfkLabel(v)}</span>
              <Button variant="ghost" className="px-2 py-1 text-red-700" aria-label={`Remove ${vfkLabel(v)}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div className="flex flex-col gap-3 lg:flex-row lg:items-end">
        {picker("vfk-child", "Referencing", child, setChild)}
        <span aria-hidden="true" className="hidden pb-2 text-slate-400 lg:block">
          →
        </span>
        {picker("vfk-parent", "Referenced", parent, setParent)}
        <Button onClick={add}>Add foreign key</Button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
